"""A friendly answer when the database is briefly unreachable (a restart, a failover).

A request that loses its database connection, in a view or in middleware (the session, the
signed-in user), gets a "Sorry, try again" page with status 503
and a Retry-After header, never a traceback or the generic error page. Nothing is half
saved: every write that matters runs in one transaction, which PostgreSQL rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeGuard

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .logfilters import error_kind

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        return database_unavailable(request, exception)


def is_database_unavailable(exception: BaseException | None) -> TypeGuard[OperationalError | InterfaceError]:
    return isinstance(exception, (OperationalError, InterfaceError))


def database_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The 503 "try again" page. Also used by the 500 handler for a database error raised
    outside any view (loading the session in middleware, say), which no view sees."""
    # The class only, and not the path either: a mistyped address is whatever someone typed.
    # The line's request id ties it to the request.
    logger.error("Database unavailable (%s)", error_kind(exception))
    # Rendered without the request: context processors could need the database too.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
