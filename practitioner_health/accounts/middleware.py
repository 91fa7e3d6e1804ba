"""Sign people out after a spell of inactivity, shorter for staff than nothing at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import STAFF_ROLES

SESSION_KEY = "last_activity"
# Writing the session on every request costs a query; a minute's resolution is plenty.
TOUCH_EVERY = timedelta(seconds=60)


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            limit = settings.STAFF_IDLE_TIMEOUT if user.role in STAFF_ROLES else settings.PRACTITIONER_IDLE_TIMEOUT
            last_seen = request.session.get(SESSION_KEY)
            if last_seen is not None and now.timestamp() - float(last_seen) > limit.total_seconds():
                logout(request)
                messages.info(request, "You were signed out because you were inactive. Please sign in again.")
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now.timestamp() - float(last_seen) > TOUCH_EVERY.total_seconds():
                request.session[SESSION_KEY] = now.timestamp()
        return self.get_response(request)
