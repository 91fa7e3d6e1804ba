"""The one gate every signed-in view goes through: signed in, second factor passed, right role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .models import Role

View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """Allow only users of these roles who have passed two-factor authentication this session.

    Anonymous users go to the login page; signed-in users who have not yet passed their
    second factor go to verify (or enrol); any other role gets 403.
    """
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_verified():  # type: ignore[union-attr]
                return redirect("accounts:verify")
            if user.role not in allowed:  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


# Any role: pages about one's own account (sign-in methods, backup codes).
verified_required = role_required(*Role)
practitioner_required = role_required(Role.PRACTITIONER)
handler_required = role_required(Role.HANDLER)
clinician_required = role_required(Role.CLINICIAN)
commissioner_required = role_required(Role.COMMISSIONER, Role.SERVICE_ADMIN)
