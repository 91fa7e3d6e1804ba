"""A small fixed-window rate limit on the public form, per client, in Django's cache.

The client's address is only ever used as a keyed hash, so the cache holds no addresses.
Limits are generous: many doctors may share one hospital address, and a person who is
struggling must never be locked out by a strict counter (the page they get instead gives
the helpline number and urgent-help contacts).
"""

from __future__ import annotations

import time
from contextlib import suppress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from practitioner_health.crypto import blind_index


def client_address(request: HttpRequest) -> str:
    """The client's address: behind N trusted proxies, the Nth entry from the right of X-Forwarded-For."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def limit_exceeded(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count this request against the client's current window; True once the count passes `limit`.

    When the cache cannot be reached the request is let through: a doctor must never be
    turned away because a counter is down.
    """
    client = blind_index(client_address(request), purpose="rate-limit")[:32]
    window = int(time.time() // window_seconds)
    count = _window_count(f"referrals:rate:{scope}:{client}:{window}", window_seconds)
    return count is not None and count > limit


def _window_count(key: str, window_seconds: int) -> int | None:
    """This request's number in its window, or None when the cache is unavailable."""
    # Most requests find their window's counter already there: count first, create if missing.
    with suppress(ValueError):  # not there yet
        return cache.incr(key)
    if cache.add(key, 1, timeout=window_seconds + 5):
        return 1
    with suppress(ValueError):  # another request created it in between
        return cache.incr(key)
    return 1  # ... and it expired straight away


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
