"""The shared cache: one count across every web process, and an outage that turns nobody away."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.support.services import free_port

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# What a second web process asks: is the address 127.0.0.1 over the limit?
SECOND_PROCESS = """
import django
django.setup()
from django.conf import settings
from django.test import RequestFactory
settings.REFERRAL_RATE_LIMIT_ANSWERS = {limit}
settings.REFERRAL_RATE_LIMIT_ANSWERS_WINDOW = {window}
from referrals.ratelimit import step_limit_exceeded
print("over" if step_limit_exceeded(RequestFactory().post("/refer/self/")) else "under")
"""


@pytest.fixture
def cache_down(settings: Any) -> None:
    """The cache pointed at a port nothing listens on, as when Redis has stopped."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }


def test_the_cache_is_redis_shared_by_every_process(settings: Any) -> None:
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"


def test_a_limit_reached_through_one_web_process_holds_in_another(client: Client, settings: Any) -> None:
    limit = 3
    settings.REFERRAL_RATE_LIMIT_ANSWERS = limit
    # A window far longer than the test, so both processes count in the same one however
    # long the second takes to start.
    window = 10**9
    settings.REFERRAL_RATE_LIMIT_ANSWERS_WINDOW = window
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "practitioner_health.settings_test"}

    def second_process() -> str:
        done = subprocess.run(
            [sys.executable, "-c", SECOND_PROCESS.replace("{limit}", str(limit)).replace("{window}", str(window))],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    for _ in range(limit - 1):
        assert client.post("/refer/self/", {"is_self": "yes"}).status_code == 302
    # The other process's own request is the limit-th: still allowed...
    assert second_process() == "under"
    # ... and the next one, back in this process, is over it.
    assert client.post("/refer/self/", {"is_self": "yes"}).status_code == 429


def test_with_the_cache_down_a_doctor_can_still_answer_the_questions(
    client: Client, settings: Any, cache_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings.REFERRAL_RATE_LIMIT_ANSWERS = 1
    for _ in range(3):
        response = client.post("/refer/self/", {"is_self": "yes"})
        assert response.status_code == 302 and response["Location"] == "/refer/profession/"
    # The outage is in the log for whoever is on call.
    assert any(r.name == "django_redis.cache" and r.getMessage() == "Exception ignored" for r in caplog.records)


def test_with_the_cache_down_the_app_can_still_sign_in(settings: Any, cache_down: None) -> None:
    user = UserFactory(role="practitioner", password="correct-horse-battery-staple")
    response = APIClient().post(
        "/api/v1/auth/sign-in", {"email": user.email, "password": "correct-horse-battery-staple"}, format="json"
    )
    assert response.status_code == 200 and response.json()["challenge"], response.content
