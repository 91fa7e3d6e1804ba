"""Limits on sign-in attempts and on the emails a stranger can make the service send.

Counted in the shared cache (practitioner_health.ratelimit), so every web process sees one
count. Password links are counted by the address typed, whether or not an account has it:
the answer a stranger gets never shows whether that person uses the service. Accounts are
also locked after repeated wrong passwords by django-axes (practitioner_health.accounts.lockout).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from practitioner_health.crypto import email_index
from practitioner_health.ratelimit import Limit, Refusal, client_key, hit, hit_all

from .models import User


def sign_in_refusal(request: HttpRequest) -> Refusal | None:
    """A password attempt from this client: refused past the limit, before any password is checked."""
    return hit(scope="sign-in", key=client_key(request), limit=Limit(*settings.SIGN_IN_RATE_LIMIT))


def password_link_refusal(request: HttpRequest, *, email: str) -> Refusal | None:
    """A password link asked for: counted per client and per address typed."""
    return hit_all(
        scope="password-link",
        keys={"client": client_key(request), "account": email_index(email)},
        limits={
            "client": Limit(*settings.PASSWORD_LINK_RATE_LIMIT_CLIENT),
            "account": Limit(*settings.PASSWORD_LINK_RATE_LIMIT_ACCOUNT),
        },
    )


def code_email_refusal(request: HttpRequest, *, user: User) -> Refusal | None:
    """An emailed security code: counted per client and per account."""
    return hit_all(
        scope="code-email",
        keys={"client": client_key(request), "account": str(user.pk)},
        limits={
            "client": Limit(*settings.CODE_EMAIL_RATE_LIMIT_CLIENT),
            "account": Limit(*settings.CODE_EMAIL_RATE_LIMIT_ACCOUNT),
        },
    )
