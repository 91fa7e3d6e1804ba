"""No personal page is kept in a browser's or a proxy's cache.

Every URL of the access matrix is opened as every role: each answer for a URL that is not
public to all, and each answer to someone signed in (their name and account are on it), says
`Cache-Control: no-store`, whatever its status. Only public pages seen anonymously may be kept.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

import tests.platform.test_access_matrix as matrix
from tests.access import PUBLIC, ROLES
from tests.conftest import verified_client


def no_store(response) -> bool:  # type: ignore[no-untyped-def]
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives and "private" in directives


@pytest.mark.slow  # every URL for every role: in `make test`, not the quick loop
@pytest.mark.django_db
@pytest.mark.parametrize("url_name", matrix.project_url_names())
def test_every_private_answer_says_no_store(url_name: str, personas: dict) -> None:
    kwargs = matrix.KWARGS[url_name](personas) if url_name in matrix.KWARGS else {}
    url = reverse(url_name, kwargs=kwargs)
    public = matrix.RULES[url_name] == PUBLIC
    cached = []
    for role in ROLES:
        user = personas[role]
        if public and user is None:
            continue
        response = (verified_client(user) if user is not None else Client()).get(url)
        if response.status_code < 500 and not no_store(response):
            cached.append((role, response.status_code, response.get("Cache-Control")))
    assert not cached, f"{url}: answers a cache may keep: {cached}"


@pytest.mark.django_db
def test_the_api_says_no_store_to_a_signed_in_app(personas: dict) -> None:
    from api.tokens import token_issue

    token = token_issue(user=personas["practitioner"])
    response = Client().get("/api/v1/me/referral", HTTP_AUTHORIZATION=f"Bearer {token.secret}")
    assert response.status_code in {200, 404}
    assert no_store(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/self-help/", "/self-help/articles/", "/privacy/"])
def test_public_pages_seen_anonymously_may_be_kept(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
