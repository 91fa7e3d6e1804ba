"""Sign-in attempts, password links and emailed security codes are limited per client address
and per account, across every web process, and the answer never shows whether an account exists."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from practitioner_health.accounts.models import User
from practitioner_health.notifications.models import Notification

PASSWORD = "correct-horse-battery-staple"
START = datetime.datetime(2026, 11, 24, 12, 0, 30, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def test_sign_in_is_limited_per_client_address_with_a_clear_wait(settings, practitioner: User) -> None:
    settings.SIGN_IN_RATE_LIMIT = (3, 15 * 60)
    client = Client(REMOTE_ADDR="192.0.2.10")
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            assert (
                client.post("/account/sign-in/", {"username": "x@example.org", "password": "wrong"}).status_code == 200
            )
        # The right password too: past the limit nothing is checked.
        refused = client.post("/account/sign-in/", {"username": practitioner.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many attempts. Wait 15 minutes and try again." in refused.content.decode()
    assert not Notification.objects.filter(template="login_code").exists(), "no code was sent"
    assert practitioner.email in refused.content.decode(), "what they typed is kept"
    # Another address is not affected, and the limit ends with its window.
    with time_machine.travel(START, tick=False):
        assert (
            Client(REMOTE_ADDR="192.0.2.11")
            .post("/account/sign-in/", {"username": practitioner.email, "password": PASSWORD})
            .status_code
            == 302
        )
    with time_machine.travel(START + datetime.timedelta(minutes=15), tick=False):
        assert (
            client.post("/account/sign-in/", {"username": practitioner.email, "password": PASSWORD}).status_code == 302
        )


def test_password_links_are_limited_per_account_and_say_the_same_for_unknown_addresses(
    settings, practitioner: User
) -> None:
    settings.PASSWORD_LINK_RATE_LIMIT_ACCOUNT = (2, 60 * 60)
    answers: dict[str, list[tuple[int, str]]] = {}
    for email in (practitioner.email, "nobody@example.nhs.uk"):
        for n in range(3):
            # From a different address each time (the account's own limit applies), a few
            # seconds apart (a new link each time), within the hour.
            with time_machine.travel(START + datetime.timedelta(seconds=n), tick=False):
                response = Client(REMOTE_ADDR=f"192.0.2.{20 + n}").post("/account/password/reset/", {"email": email})
            answers.setdefault(email, []).append((response.status_code, response.content.decode()))
    known, unknown = answers[practitioner.email], answers["nobody@example.nhs.uk"]
    assert [status for status, _ in known] == [status for status, _ in unknown] == [302, 302, 429]

    def page(html: str, typed: str) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html).replace(typed, "X")

    assert page(known[2][1], practitioner.email) == page(unknown[2][1], "nobody@example.nhs.uk")
    assert "Too many attempts. Wait 60 minutes and try again." in known[2][1]
    assert Notification.objects.filter(template="password_reset").count() == 2


def test_password_links_are_limited_per_client_address(settings, practitioner: User) -> None:
    settings.PASSWORD_LINK_RATE_LIMIT_CLIENT = (3, 60 * 60)
    client = Client(REMOTE_ADDR="192.0.2.30")
    with time_machine.travel(START, tick=False):
        for n in range(3):
            assert client.post("/account/password/reset/", {"email": f"someone{n}@example.org"}).status_code == 302
        refused = client.post("/account/password/reset/", {"email": practitioner.email})
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
    assert not Notification.objects.filter(template="password_reset").exists()


def test_emailed_security_codes_are_limited_per_account(settings, practitioner: User) -> None:
    settings.CODE_EMAIL_RATE_LIMIT_ACCOUNT = (2, 15 * 60)
    client = Client(REMOTE_ADDR="192.0.2.40")
    with time_machine.travel(START, tick=False):
        assert (
            client.post("/account/sign-in/", {"username": practitioner.email, "password": PASSWORD}).status_code == 302
        )
        first_resend = client.post("/account/sign-in/code/resend/", follow=True).content.decode()
        assert "We have sent you a new security code" in first_resend
        # From elsewhere, signing in again: still this account's codes.
        other = Client(REMOTE_ADDR="192.0.2.41")
        assert (
            other.post("/account/sign-in/", {"username": practitioner.email, "password": PASSWORD}).status_code == 302
        )
        page = other.get("/account/sign-in/code/").content.decode()
        resent = client.post("/account/sign-in/code/resend/", follow=True).content.decode()
    assert Notification.objects.filter(template="login_code").count() == 2
    assert "Too many attempts. Wait 15 minutes and try again." in page
    assert "Too many attempts. Wait 15 minutes and try again." in resent
    assert "We have sent you a new security code" not in resent


def test_emailed_security_codes_are_limited_per_client_address(settings, practitioner: User) -> None:
    from tests.factories import UserFactory

    settings.CODE_EMAIL_RATE_LIMIT_CLIENT = (1, 15 * 60)
    someone_else = UserFactory(role=practitioner.role, totp=False)
    with time_machine.travel(START, tick=False):
        for user in (practitioner, someone_else):
            Client(REMOTE_ADDR="192.0.2.50").post("/account/sign-in/", {"username": user.email, "password": PASSWORD})
    assert Notification.objects.filter(template="login_code").count() == 1


def test_the_counts_are_shared_through_the_cache(settings) -> None:
    """Another web process sees the same count: it lives in the shared cache, not in memory."""
    from django.test import RequestFactory

    from practitioner_health.accounts.throttles import sign_in_refusal

    settings.SIGN_IN_RATE_LIMIT = (1, 15 * 60)
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    request = RequestFactory(REMOTE_ADDR="192.0.2.60").post("/account/sign-in/")
    with time_machine.travel(START, tick=False):
        assert sign_in_refusal(request) is None
        assert sign_in_refusal(request) is not None
        keys = cache.client.get_client().keys("*")
    assert any(b"rate:sign-in" in key for key in keys)
    assert not any(b"192.0.2.60" in key for key in keys), "the cache holds no address"


def test_the_app_s_sign_in_counts_emailed_codes_against_the_same_account(settings, practitioner: User) -> None:
    settings.CODE_EMAIL_RATE_LIMIT_ACCOUNT = (1, 15 * 60)
    body = {"email": practitioner.email, "password": PASSWORD}
    with time_machine.travel(START, tick=False):
        assert (
            Client().post("/account/sign-in/", {"username": practitioner.email, "password": PASSWORD}).status_code
            == 302
        )
        refused = Client().post("/api/v1/auth/sign-in", body, content_type="application/json")
    assert refused.status_code == 429
    assert refused.json()["message"] == "Too many attempts. Wait 15 minutes and try again."
    assert Notification.objects.filter(template="login_code").count() == 1
