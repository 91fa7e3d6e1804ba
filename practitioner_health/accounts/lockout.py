"""django-axes hooks: lock accounts by the hashed email and answer with a clear page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from practitioner_health.crypto import email_index


def username_for_lockout(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    # Axes stores the username it is given: store the keyed hash, never the address.
    username = (credentials or {}).get("username") or request.POST.get("username")
    if not username:
        return None
    return email_index(str(username))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    return render(request, "accounts/locked_out.html", status=429)
