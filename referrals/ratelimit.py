"""A small fixed-window rate limit on the public form, per client, in Django's cache.

The client's address is only ever used as a keyed hash, so the cache holds no addresses.
Limits are generous: many doctors may share one hospital address, and a person who is
struggling must never be locked out by a strict counter (the page they get instead gives
the helpline number and urgent-help contacts).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from practitioner_health import ratelimit


def limit_exceeded(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count this request against the client's current window; True once the count passes `limit`.

    When the cache cannot be reached the request is let through (see practitioner_health.ratelimit).
    """
    refusal = ratelimit.hit(
        scope=f"referrals:{scope}", key=ratelimit.client_key(request), limit=ratelimit.Limit(limit, window_seconds)
    )
    return refusal is not None


def step_limit_exceeded(request: HttpRequest) -> bool:
    return limit_exceeded(
        request,
        scope="step",
        limit=settings.REFERRAL_RATE_LIMIT_ANSWERS,
        window_seconds=settings.REFERRAL_RATE_LIMIT_ANSWERS_WINDOW,
    )


def submit_limit_exceeded(request: HttpRequest) -> bool:
    return limit_exceeded(
        request,
        scope="submit",
        limit=settings.REFERRAL_RATE_LIMIT_SUBMISSIONS,
        window_seconds=settings.REFERRAL_RATE_LIMIT_SUBMISSIONS_WINDOW,
    )
