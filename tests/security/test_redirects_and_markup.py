"""Attacks that held when the service was tried by hand: kept as tests so they keep holding.

An open redirect after sign-in would let a phishing link carry a doctor from the real sign-in
page to a look-alike; markup typed into a public form would run in a handler's browser.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from practitioner_health.accounts.models import User
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"

HOSTILE_NEXT = (
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "\x00/evil",
)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_sign_in_never_sends_someone_to_another_site(client: Client, handler: User, target: str) -> None:
    response = client.post(
        f"{reverse('accounts:login')}?next={target}", {"username": handler.email, "password": PASSWORD}
    )
    assert response.status_code == 302

    session_next = client.session.get("after_login")

    assert session_next is None, "a hostile address is never kept to land on after the second factor"


def test_sign_in_keeps_a_page_on_this_site_to_land_on(client: Client, handler: User) -> None:
    client.post(f"{reverse('accounts:login')}?next=/helpline/", {"username": handler.email, "password": PASSWORD})

    assert client.session.get("after_login") == "/helpline/"


MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_markup_typed_into_a_referral_is_shown_as_text_to_the_helpline(client_for, handler: User) -> None:
    referral = ReferralFactory(name=f"Dr {MARKUP}", people_known=MARKUP, needs_other=MARKUP)

    page = client_for(handler).get(reverse("triage:referral", args=[referral.pk])).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
