"""No copy of a private page in a browser's or a proxy's cache: private unless marked public.

Every response gets `Cache-Control: no-store` (Django's never-cache headers) unless its view
is marked with `public_page` and the visitor is anonymous (no session sign-in, no API
token). So a new view is private until someone decides otherwise, and a shared computer's
back button or a proxy never shows someone's referral, diary or helpline record. The public
pages anyone may read (service information, self-help articles) stay cacheable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

_MARK = "public_page_cacheable"


def public_page[View: Callable[..., Any]](view: View) -> View:
    """Mark a view whose page holds nothing personal: anonymous visitors' browsers may keep it."""
    setattr(view, _MARK, True)
    return view


class PrivateByDefaultMiddleware:
    """Placed after authentication, so a signed-in visitor's copy of a public page is private too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not self._cacheable(request):
            add_never_cache_headers(response)
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], *args: Any) -> None:
        request.public_page_cacheable = getattr(view_func, _MARK, False)  # type: ignore[attr-defined]

    @staticmethod
    def _cacheable(request: HttpRequest) -> bool:
        if not getattr(request, "public_page_cacheable", False):
            return False
        if "HTTP_AUTHORIZATION" in request.META:
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)
