"""The Django admin behind the same two-factor sign-in as every staff page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from practitioner_health.accounts.models import Role


def has_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active and user.is_authenticated and user.role == Role.SERVICE_ADMIN and user.is_verified()  # type: ignore[union-attr]
    )


def login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    # The admin's own login form would skip the second factor: send people to ours.
    if not request.user.is_authenticated:
        return redirect_to_login(request.GET.get("next", "/admin/"))
    if not request.user.is_verified():  # type: ignore[union-attr]
        return redirect("accounts:verify")
    raise PermissionDenied


def install() -> None:
    admin.site.has_permission = has_permission  # type: ignore[method-assign]
    admin.site.login = login  # type: ignore[method-assign]
    admin.site.site_header = "Practitioner Health administration"
    admin.site.site_title = "Practitioner Health admin"
