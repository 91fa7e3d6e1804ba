"""Throttles per client address and per account, counted in Django's default cache.

Addresses are only ever used as keyed hashes (the cache holds no addresses), as the
website's own rate limit does. Rates are read from settings at request time, so a test can
change them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from practitioner_health.ratelimit import client_key

if TYPE_CHECKING:
    # Imported only for hints: rest_framework.views imports the throttle classes itself.
    from rest_framework.request import Request
    from rest_framework.views import APIView


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rates: dict[str, str] = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]  # type: ignore[assignment]
        return rates.get(self.scope)

    def client_key(self, request: Request) -> str:
        return client_key(request._request)


class ClientThrottle(_SettingsRateThrottle):
    """Every request, by client address."""

    scope = "client"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.client_key(request)}


class AccountThrottle(_SettingsRateThrottle):
    """Every signed-in request, by account, wherever it comes from."""

    scope = "account"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.user is None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class SignInThrottle(ClientThrottle):
    """Password and code attempts, by client address (accounts are also locked by django-axes)."""

    scope = "sign-in"


class ReferralThrottle(ClientThrottle):
    scope = "referral"
