"""Fixtures for the API tests: an API client, tokens for personas, a clean throttle cache."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.tokens import token_issue
from practitioner_health.accounts.models import User


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Throttles and the referral rate limit count in the cache; every test starts with none.
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_with_token(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api_for() -> Callable[[User], APIClient]:
    """A client holding a fresh token for `user` (as if they had signed in through /auth)."""

    def make(user: User) -> APIClient:
        return client_with_token(token_issue(user=user).secret)

    return make
