"""Reporting fixtures: a fixed "now" (10 August 2025, UK time) and someone to record scores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache

from practitioner_health.accounts.models import Role, User
from tests.factories import UserFactory

from .factories import at

NOW = at(2025, 8, 10, 12)


@pytest.fixture
def in_august_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def recorder(db: None) -> User:
    """The clinician who records PHQ-9 and GAD-7 scores."""
    return UserFactory(role=Role.CLINICIAN)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with no dashboard figures cached by another (the cache outlives a test's
    database transaction, and frozen clocks give different tests the same refresh times)."""
    cache.clear()
    yield
    cache.clear()
