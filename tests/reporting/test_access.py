"""Only commissioners and service admins reach reporting; commissioners reach nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from practitioner_health.accounts.models import User
from tests.platform.test_access_matrix import RULES, project_url_names

pytestmark = pytest.mark.django_db

REPORTING_PAGES = ["/reporting/", "/reporting/export.csv?period=month-2025-06"]


def _client(personas: dict[str, User | None], role: str, client_for: Callable[[User], Client]) -> Client:
    user = personas[role]
    return client_for(user) if user is not None else Client()


@pytest.mark.parametrize("role", ["anonymous", "practitioner", "handler", "clinician"])
def test_other_roles_are_kept_out_of_reporting(
    role: str, personas: dict[str, User | None], client_for: Callable[[User], Client]
) -> None:
    client = _client(personas, role, client_for)
    for url in REPORTING_PAGES:
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
        else:
            assert response.status_code == 403
        assert b"Referrals received" not in response.content
    assert client.post("/reporting/refresh", {"period": "month-2025-06"}).status_code in {302, 403}


@pytest.mark.parametrize("role", ["commissioner", "service_admin"])
def test_commissioners_and_service_admins_reach_reporting(
    role: str, personas: dict[str, User | None], client_for: Callable[[User], Client]
) -> None:
    client = _client(personas, role, client_for)
    for url in REPORTING_PAGES:
        assert client.get(url).status_code == 200


def test_a_commissioner_signs_in_to_the_dashboard(commissioner: User, client_for: Callable[[User], Client]) -> None:
    assert client_for(commissioner).get("/account/").get("Location") == reverse("reporting:dashboard")


def test_commissioners_reach_nothing_but_reporting_their_own_account_and_public_pages() -> None:
    # Every URL in the project, as its app declared: where a commissioner gets a page, so
    # does everyone (public), or it is reporting, or it is their own account.
    reachable = [name for name in project_url_names() if RULES[name]["commissioner"] == 200]
    outside = [
        name
        for name in reachable
        if not name.startswith(("reporting:", "accounts:")) and RULES[name]["anonymous"] != 200
    ]
    assert not outside, f"Commissioners can open these pages outside reporting: {outside}"


@pytest.mark.parametrize("url", ["/helpline/", "/clinician/", "/admin/", "/refer/my/"])
def test_staff_and_practitioner_areas_turn_a_commissioner_away(
    url: str, commissioner: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(commissioner).get(url, follow=True)

    assert response.status_code == 403


def test_the_dashboard_links_nowhere_but_reporting_and_the_sites_own_pages(
    commissioner: User, client_for: Callable[[User], Client]
) -> None:
    html = client_for(commissioner).get("/reporting/").content.decode()

    links = set(re.findall(r'(?:href|action)="([^"]*)"', html))
    into_other_areas = {link for link in links if link.startswith(("/helpline", "/clinician", "/refer", "/admin"))}
    assert not into_other_areas
    assert "/reporting/export.csv?period=" in " ".join(links)
