"""Helpers for the fault-injection tests: a whole self-referral through the real pages.

Tests that stop or restart a service start their own copy of it (tests/support/services.py)
on another port, so the rest of the suite never sees the fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from bench.run import answers_for
from referrals.flow import STEPS
from tests.support.celery_worker import broker

REFERENCE = re.compile(rb"<strong>(PH-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>")


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings) -> None:  # type: ignore[no-untyped-def]
    # Every test client comes from 127.0.0.1: lift the public form's per-address limit.
    settings.REFERRAL_RATE_LIMIT_ANSWERS = 10**6
    settings.REFERRAL_RATE_LIMIT_SUBMISSIONS = 10**6
    cache.clear()


def token_on(page: Any) -> str:
    found = re.search(r'<input type="hidden" name="token" value="([^"]+)">', page.content.decode())
    assert found, "no submission token on Check your answers"
    return found.group(1)


def refer(n: int, client: Client | None = None) -> tuple[Client, Any]:
    """Answer every page as person `n`, press Send, and open the confirmation page."""
    client = client or Client()
    answers = answers_for(n)
    for step in STEPS:
        response = client.post(f"/refer/{step.slug}/", answers[step.slug])
        assert response.status_code == 302, (step.slug, response.status_code)
    page = client.get("/refer/check-your-answers/")
    sent = client.post("/refer/check-your-answers/", {"token": token_on(page)})
    assert sent.status_code == 302 and sent["Location"] == "/refer/confirmation/", sent.status_code
    return client, client.get("/refer/confirmation/")


def reference_on(page: Any) -> str:
    found = REFERENCE.search(page.content)
    assert found, "no reference number on the confirmation page"
    return found.group(1).decode()


@contextmanager
def own_broker(url: str) -> Iterator[None]:
    """Send this process's Celery messages to `url` for the duration."""
    with broker(url):
        yield
