from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import replace

from django.http import HttpRequest, HttpResponse

from practitioner_health.client_address import client_address

from . import context

# A request id from the proxy is kept only if it looks like one: it ends up in logs.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Give every request an id (echoed in X-Request-ID) and note the client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.current.set(
            context.RequestContext(request_id=request_id, ip_address=client_address(request) or None)
        )
        try:
            response = self.get_response(request)
        finally:
            context.current.reset(token)
        response["X-Request-ID"] = request_id
        return response


class AuditActorMiddleware:
    """After authentication, record who is acting for any audit row written in this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        current = context.get()
        user = getattr(request, "user", None)
        if current is not None and user is not None and user.is_authenticated:
            token = context.current.set(replace(current, actor_id=user.pk, actor_role=user.role))
            try:
                return self.get_response(request)
            finally:
                context.current.reset(token)
        return self.get_response(request)
