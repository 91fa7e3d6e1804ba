"""One client address for audit rows, sign-in lockouts and rate limits, honouring BEHIND_PROXY
and PROXY_COUNT: a forged X-Forwarded-For is ignored when no proxy is trusted, and behind one
proxy the address it saw is the one used."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import AuditEvent
from practitioner_health.client_address import client_address

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
SPOOFED = "203.0.113.66"


@pytest.fixture(autouse=True)
def _fresh_counters():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def request_from(remote: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory(REMOTE_ADDR=remote).get("/", **extra)


def test_not_behind_a_proxy_the_forwarded_header_is_ignored(settings) -> None:
    settings.BEHIND_PROXY, settings.PROXY_COUNT = False, 0
    assert client_address(request_from("192.0.2.1", SPOOFED)) == "192.0.2.1"


def test_behind_one_proxy_the_address_it_saw_is_used(settings) -> None:
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    # The client may send its own header; the proxy appends the address it saw, on the right.
    assert client_address(request_from("10.0.0.2", f"{SPOOFED}, 198.51.100.7")) == "198.51.100.7"
    assert client_address(request_from("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    # No header (the proxy was bypassed) or rubbish in it: the connecting address.
    assert client_address(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"


def test_behind_two_proxies_the_outer_ones_view_is_used(settings) -> None:
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 2
    assert client_address(request_from("10.0.0.3", f"{SPOOFED}, 198.51.100.8, 10.0.0.2")) == "198.51.100.8"


def test_a_spoofed_header_reaches_no_audit_row_when_not_behind_a_proxy(settings, practitioner: User) -> None:
    settings.BEHIND_PROXY, settings.PROXY_COUNT = False, 0
    Client(REMOTE_ADDR="192.0.2.5").post(
        "/account/sign-in/", {"username": practitioner.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR=SPOOFED
    )
    assert AuditEvent.objects.filter(detail="password").values_list("ip_address", flat=True).get() == "192.0.2.5"


def test_behind_a_proxy_audit_rows_record_the_client_not_the_proxy(settings, practitioner: User) -> None:
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    Client(REMOTE_ADDR="10.0.0.2").post(
        "/account/sign-in/",
        {"username": practitioner.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=f"{SPOOFED}, 198.51.100.9",
    )
    assert AuditEvent.objects.filter(detail="password").values_list("ip_address", flat=True).get() == "198.51.100.9"


def test_a_spoofed_header_does_not_dodge_the_sign_in_limit(settings) -> None:
    settings.BEHIND_PROXY, settings.PROXY_COUNT = False, 0
    settings.SIGN_IN_RATE_LIMIT = (2, 15 * 60)
    client = Client(REMOTE_ADDR="192.0.2.6")
    statuses = [
        client.post(
            "/account/sign-in/", {"username": "a@example.org", "password": "x"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_behind_a_proxy_clients_are_counted_apart(settings) -> None:
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    settings.SIGN_IN_RATE_LIMIT = (1, 15 * 60)
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    form = {"username": "a@example.org", "password": "x"}
    assert proxy.post("/account/sign-in/", form, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert proxy.post("/account/sign-in/", form, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert proxy.post("/account/sign-in/", form, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_lockout_records_the_same_address(settings) -> None:
    from axes.helpers import get_client_ip_address

    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    request = request_from("10.0.0.2", f"{SPOOFED}, 198.51.100.4")
    assert get_client_ip_address(request) == client_address(request) == "198.51.100.4"
    settings.BEHIND_PROXY, settings.PROXY_COUNT = False, 0
    assert get_client_ip_address(request) == "10.0.0.2"
