"""The dashboard keeps its figures until they are counted again, and shares only what everyone sees."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from practitioner_health.accounts.models import User
from tests.factories import ReferralFactory

from .factories import at
from .helpers import page_tables, refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]

JUNE, JULY = date(2025, 6, 1), date(2025, 7, 1)
JUNE_LONDON = {"period": "month-2025-06", "region": "london"}
FACT_TABLE = re.compile(r"reporting_\w+fact\b")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _referrals(region: str, count: int, *, day: int = 2) -> None:
    for n in range(count):
        ReferralFactory(work_region=region, submitted_at=at(2025, 6, day + n % 20))


@pytest.fixture
def june(in_august_2025: None) -> None:
    _referrals("london", 10)
    _referrals("midlands", 20)
    refresh(JUNE)


def _look(client: Client, params: dict[str, str]) -> tuple[str, list[str]]:
    """The page, and the SQL it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reporting/", params)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured.captured_queries]


def _received(html: str) -> list[str]:
    return page_tables(html)["Referrals received and their eligibility"]["Referrals received"]


@pytest.mark.usefixtures("june")
def test_the_same_figures_asked_for_again_are_not_counted_again(commissioner: User, client_for: Callable) -> None:
    client = client_for(commissioner)
    first, first_sql = _look(client, JUNE_LONDON)

    again, again_sql = _look(client, JUNE_LONDON)

    assert _received(again) == _received(first) == ["10", "100.0%"]
    assert page_tables(again) == page_tables(first)
    assert sum(bool(FACT_TABLE.search(sql)) for sql in first_sql) == 11
    assert not [sql for sql in again_sql if FACT_TABLE.search(sql)]
    assert len(again_sql) <= len(first_sql) - 10


@pytest.mark.usefixtures("june")
def test_figures_counted_again_replace_the_kept_ones(commissioner: User, client_for: Callable) -> None:
    client = client_for(commissioner)
    assert _received(_look(client, JUNE_LONDON)[0]) == ["10", "100.0%"]
    _referrals("london", 5, day=20)

    # Not counted yet: the page still shows the last count.
    assert _received(_look(client, JUNE_LONDON)[0]) == ["10", "100.0%"]
    # The clock is frozen, so the new count carries the same time as the old one.
    refresh(JUNE)

    assert _received(_look(client, JUNE_LONDON)[0]) == ["15", "100.0%"]


@pytest.mark.usefixtures("june")
def test_other_filters_get_their_own_figures(commissioner: User, client_for: Callable) -> None:
    client = client_for(commissioner)
    london, _ = _look(client, JUNE_LONDON)

    midlands, _ = _look(client, {**JUNE_LONDON, "region": "midlands"})
    national, _ = _look(client, {"period": "month-2025-06"})

    assert _received(london) == ["10", "100.0%"]
    assert _received(midlands) == ["20", "100.0%"]
    assert _received(national) == ["30", "100.0%"]
    assert "export.csv?period=month-2025-06&amp;region=midlands" in midlands
    assert "These are national figures" in national and "These are national figures" not in london


def _line(html: str) -> dict[str, list[str]]:
    """The table under the referrals line, whatever months it covers."""
    return next(rows for caption, rows in page_tables(html).items() if caption.startswith("Referrals received per"))


@pytest.mark.usefixtures("june")
def test_a_new_month_moves_the_referrals_line_without_a_refresh(commissioner: User, client_for: Callable) -> None:
    august = _line(_look(client_for(commissioner), {})[0])
    assert "Aug 2025 (so far)" in august and "Sep 2025 (so far)" not in august

    with time_machine.travel(at(2025, 9, 1, 9), tick=False):
        september = _line(_look(client_for(commissioner), {})[0])

    assert "Sep 2025 (so far)" in september
    assert september["Aug 2025"] == ["0"] and "Aug 2025 (so far)" not in september
    assert september["Jun 2025"] == august["Jun 2025"] == ["30"]


def _tokens(html: str) -> set[str]:
    return set(CSRF_TOKEN.findall(html))


@pytest.mark.usefixtures("june")
@pytest.mark.parametrize("first", ["admin", "commissioner"])
def test_only_the_service_admin_gets_the_refresh_button_whoever_looked_first(
    first: str, admin_user: User, commissioner: User, client_for: Callable
) -> None:
    clients = {"admin": client_for(admin_user), "commissioner": client_for(commissioner)}
    pages = {}
    for who in (first, *(name for name in clients if name != first)):
        pages[who] = _look(clients[who], JUNE_LONDON)[0]

    assert "Count these figures again now" in pages["admin"]
    assert 'action="/reporting/refresh"' in pages["admin"]
    assert "Count these figures again now" not in pages["commissioner"]
    assert 'action="/reporting/refresh"' not in pages["commissioner"]
    # Each page's forms carry its own user's token, never one rendered for the other.
    assert _tokens(pages["admin"]) and _tokens(pages["commissioner"])
    assert not _tokens(pages["admin"]) & _tokens(pages["commissioner"])
    assert _received(pages["admin"]) == _received(pages["commissioner"]) == ["10", "100.0%"]


@pytest.mark.usefixtures("june")
def test_a_broken_cache_still_gives_the_page(
    commissioner: User, client_for: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    client = client_for(commissioner)
    _look(client, JUNE_LONDON)  # the session's first request does some once-only work

    first, first_sql = _look(client, JUNE_LONDON)
    again, again_sql = _look(client, JUNE_LONDON)

    assert _received(first) == _received(again) == ["10", "100.0%"]
    assert len(again_sql) == len(first_sql)


@pytest.mark.usefixtures("june")
def test_markup_written_into_the_cache_by_anyone_else_is_never_shown(
    commissioner: User, client_for: Callable, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for(commissioner)
    _look(client, JUNE_LONDON)
    kept = [key for key in cache.keys("reporting:dashboard:*")]  # type: ignore[attr-defined]
    assert len(kept) == 1, "the page's figures are kept"
    # Someone with access to Redis swaps in their own markup, with or without a signature.
    injected = '<a id="injected" href="https://evil.example">Sign in again</a>'
    for forged in ((injected, injected), (f"{injected}:forged-signature", f"{injected}:forged-signature")):
        cache.set(kept[0], forged, 60)

        html, _ = _look(client, JUNE_LONDON)

        assert 'id="injected"' not in html and "evil.example" not in html
        assert _received(html) == ["10", "100.0%"]
    assert "bad signature" in caplog.text


@pytest.mark.usefixtures("june")
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_a_cache_that_keeps_nothing_counts_the_figures_each_time(commissioner: User, client_for: Callable) -> None:
    client = client_for(commissioner)
    _look(client, JUNE_LONDON)  # the session's first request does some once-only work
    first, first_sql = _look(client, JUNE_LONDON)
    _referrals("london", 5, day=20)
    refresh(JUNE)

    again, again_sql = _look(client, JUNE_LONDON)

    assert _received(first) == ["10", "100.0%"]
    assert _received(again) == ["15", "100.0%"]
    assert len(again_sql) == len(first_sql)
