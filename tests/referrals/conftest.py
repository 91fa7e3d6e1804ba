"""Fixtures for the referrals tests: a clean rate-limit cache, valid answers, and a way to walk the form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from api.tokens import token_issue
from practitioner_health.accounts.models import User
from referrals.flow import STEPS, WEB, Flow, Journey

# One complete, valid set of answers, as a person would type them into each page.
VALID_ANSWERS: dict[str, dict[str, Any]] = {
    "self": {"is_self": "yes"},
    "profession": {"profession": "doctor"},
    "registration": {"number": "7294613"},
    "work-location": {"work_location": "england"},
    "role": {"career_stage": "consultant", "career_stage_other": ""},
    "workplace": {"work_region": "north-west", "employer": "Mersey Hospitals NHS Trust"},
    "seen-where": {"seen_where": "london"},
    "needs": {"needs": ["stress", "alcohol"], "needs_other": ""},
    "safety": {"self_harm": "no"},
    "name": {"name": "Dr Morwenna Tregothnan", "preferred_name": "Wenna"},
    "date-of-birth": {"dob_day": "14", "dob_month": "2", "dob_year": "1979"},
    "contact": {"email": "wenna.t@example.org", "mobile": "07700 900 417"},
    "contact-preferences": {"voicemail_ok": "no", "texts_ok": "yes", "best_times": "Weekday evenings"},
    "people-known": {"people_known": "Dr Harold Pengelly, consultant psychiatrist at Truro"},
    "heard-about": {"heard_about": "colleague"},
}


def answers(**changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """VALID_ANSWERS with some pages' answers replaced: answers(safety={"self_harm": "yes"})."""
    result = {slug: dict(data) for slug, data in VALID_ANSWERS.items()}
    for key, value in changes.items():
        result[key.replace("_", "-")] = value
    return result


def put_answers(client: Client, data: dict[str, dict[str, Any]], flow: Flow = WEB) -> None:
    """Store answers straight into the client's session, as if the pages had been filled in."""
    session = client.session
    Journey(answers=data).save(session, flow)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def fill_in(client: Client, data: dict[str, dict[str, Any]], prefix: str = "/refer/") -> None:
    """Answer every page through the real views, checking each one moves on."""
    for step in STEPS:
        response = client.post(f"{prefix}{step.slug}/", data[step.slug])
        assert response.status_code == 302, (step.slug, response.content.decode()[:2000])


def send(client: Client, prefix: str = "/refer/", **extra: str):  # type: ignore[no-untyped-def]
    """Open Check your answers and press Send."""
    page = client.get(f"{prefix}check-your-answers/")
    assert page.status_code == 200
    return client.post(f"{prefix}check-your-answers/", {"token": token_on(page), **extra})


def token_on(page: Any) -> str:
    """The one-time submission token in a Check your answers page, as a browser would send it."""
    found = re.search(r'<input type="hidden" name="token" value="([^"]+)">', page.content.decode())
    assert found, "no submission token on the page"
    return found.group(1)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The rate limiter counts in the cache; every test starts with no history.
    cache.clear()


@pytest.fixture
def web_client() -> Client:
    return Client()


@pytest.fixture
def submit_referral(db: None) -> Callable[..., tuple[Client, Any]]:
    """Fill in and send a whole referral as a fresh visitor; returns (client, confirmation page)."""

    def submit(data: dict[str, dict[str, Any]] | None = None) -> tuple[Client, Any]:
        client = Client()
        fill_in(client, data or VALID_ANSWERS)
        response = send(client)
        assert response.status_code == 302 and response["Location"] == "/refer/confirmation/"
        return client, client.get("/refer/confirmation/")

    return submit


@pytest.fixture
def signposting(db: None) -> None:
    """The signposting directory as the selfhelp migration seeds it (transactional tests empty the tables)."""
    from selfhelp.content.directory import DIRECTORY
    from selfhelp.models import SignpostingEntry

    for position, entry in enumerate(DIRECTORY):
        SignpostingEntry.objects.get_or_create(
            name=entry["name"],
            category=entry["category"],
            defaults={
                "nation": entry["nation"],
                "description": entry["description"],
                "phone": entry["phone"],
                "website": entry["website"],
                "hours": entry["hours"],
                "position": position,
            },
        )


@pytest.fixture
def api() -> APIClient:
    """An app client with no token: a visitor sending a referral from the app."""
    return APIClient()


@pytest.fixture
def api_for() -> Callable[[User], APIClient]:
    """An app client holding a fresh token for `user`."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user).secret}")
        return client

    return make
