"""Fixed-window counters in Django's cache, shared by every web process (Redis in production).

Used by the public referral form, sign-in, password links and emailed security codes. Keys
hold keyed hashes only (of an address, an email typed): the cache holds nothing personal.
When the cache cannot be reached the request is let through: a doctor must never be turned
away because a counter is down.
"""

from __future__ import annotations

import math
import time
from contextlib import suppress
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from .client_address import client_address
from .crypto import blind_index


@dataclass(frozen=True)
class Limit:
    count: int
    window_seconds: int


@dataclass(frozen=True)
class Refusal:
    """A limit was passed: how long until the window it was counted in ends."""

    wait_seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.wait_seconds / 60))

    @property
    def message(self) -> str:
        unit = "minute" if self.minutes == 1 else "minutes"
        return f"Too many attempts. Wait {self.minutes} {unit} and try again."


def hashed(value: str) -> str:
    return blind_index(value, purpose="rate-limit")[:32]


def client_key(request: HttpRequest) -> str:
    return hashed(client_address(request))


def hit(*, scope: str, key: str, limit: Limit) -> Refusal | None:
    """Count one attempt against `key` (already hashed) in `scope`; a Refusal once past the limit."""
    now = time.time()
    window = int(now // limit.window_seconds)
    count = _window_count(f"rate:{scope}:{key}:{window}", limit.window_seconds)
    if count is None or count <= limit.count:
        return None
    return Refusal(wait_seconds=math.ceil((window + 1) * limit.window_seconds - now))


def hit_all(*, scope: str, keys: dict[str, str], limits: dict[str, Limit]) -> Refusal | None:
    """Count the attempt against each key (e.g. the client and the account); the longest wait
    of any limit passed. Every key is counted, so one cannot be used to dodge another."""
    refusals = [hit(scope=f"{scope}:{name}", key=keys[name], limit=limits[name]) for name in keys]
    passed = [refusal for refusal in refusals if refusal is not None]
    return max(passed, key=lambda refusal: refusal.wait_seconds) if passed else None


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
