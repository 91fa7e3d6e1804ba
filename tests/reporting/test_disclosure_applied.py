"""Disclosure control on the dashboard: national figures as counted, everything below national
level through suppress / rate / suppress_median (1-7 hidden, others to the nearest 5, rates
from the rounded figures, medians of 1-7 values hidden)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from referrals.models import Eligibility
from tests.factories import ReferralFactory

from .factories import at
from .helpers import dashboard_for, first_column, refresh, shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]

JUNE = date(2025, 6, 1)


@pytest.fixture
def june(in_august_2025: None) -> None:
    """17 referrals in June 2025: 13 from London (9 eligible, 4 not), 3 from the Midlands and
    1 returner with no region (all eligible). First contacts: 8 in London after 1 to 8 days, 3 in the
    Midlands after 10 days each."""
    london = [
        ReferralFactory(
            work_region="london",
            eligibility=Eligibility.ELIGIBLE if n < 9 else Eligibility.INELIGIBLE,
            needs=["anxiety"],
            submitted_at=at(2025, 6, 2),
        )
        for n in range(13)
    ]
    for days, referral in enumerate(london[:8], start=1):
        referral.first_contact_at = referral.submitted_at + timedelta(days=days)
        referral.save(update_fields=["first_contact_at"])
    for _ in range(3):
        ReferralFactory(work_region="midlands", submitted_at=at(2025, 6, 3), first_contact_at=at(2025, 6, 13))
    ReferralFactory(work_region="", submitted_at=at(2025, 6, 4))
    refresh(JUNE)


@pytest.mark.usefixtures("june")
def test_national_figures_are_shown_as_counted() -> None:
    national = dashboard_for(period="month-2025-06")

    assert national.national is True
    assert shown(national.eligibility)["Referrals received"] == ["17", "100.0%"]
    # 9 in London, 3 in the Midlands and the returner: 13 of 17, and 4 of 17, from the raw counts.
    assert shown(national.eligibility)["Eligible"] == ["13", "76.5%"]
    assert shown(national.eligibility)["Not eligible"] == ["4", "23.5%"]
    assert first_column(national.by_channel)["Website"] == "17"
    assert first_column(national.by_need)["Anxiety"] == "13"
    # 11 first contacts: 1..8 days and three of 10; the middle one is 6 days.
    assert shown(national.waits)["Referral to first contact"] == ["11", "6 days", "100.0%", "100.0%"]


@pytest.mark.usefixtures("june")
def test_breakdowns_by_region_profession_and_career_stage_are_below_national_level() -> None:
    national = dashboard_for(period="month-2025-06")

    regions = first_column(national.by_region)
    assert (regions["London"], regions["Midlands"], regions["Not known"], regions["North West"]) == (
        "15",
        "*",
        "*",
        "0",
    )
    # 17 doctors, all GPs: rounded to 15 even on the national page, as the filtered page shows.
    assert first_column(national.by_profession) == {"Doctor": "15", "Dentist": "0"}
    assert first_column(national.by_career_stage)["GP"] == "15"


@pytest.mark.usefixtures("june")
def test_one_region_is_rounded_and_its_rates_come_from_the_rounded_figures() -> None:
    london = dashboard_for(period="month-2025-06", region="london")

    assert london.national is False
    assert shown(london.eligibility) == {
        # 13 rounds to 15.
        "Referrals received": ["15", "100.0%"],
        # 9 rounds to 10, and 10 of 15 is 66.7% (the raw 9 of 13 would be 69.2%).
        "Eligible": ["10", "66.7%"],
        # 4 is hidden, and so is its rate.
        "Not eligible": ["*", "*"],
        "Needs review by a handler": ["0", "0.0%"],
        "Not yet decided": ["0", "0.0%"],
    }
    assert first_column(london.by_channel)["Website"] == "15"
    assert first_column(london.by_need)["Anxiety"] == "15"
    assert first_column(london.by_region) == {
        "London": "15",
        "South East": "0",
        "South West": "0",
        "East of England": "0",
        "Midlands": "0",
        "North East and Yorkshire": "0",
        "North West": "0",
        "Not known": "0",
    }
    # Eight waits of 1 to 8 days: enough to show a median, (4 + 5) / 2; 8 rounds to 10.
    assert shown(london.waits)["Referral to first contact"] == ["10", "4.5 days", "100.0%", "100.0%"]


@pytest.mark.usefixtures("june")
def test_a_small_region_shows_stars_for_counts_rates_and_medians() -> None:
    midlands = dashboard_for(period="month-2025-06", region="midlands")

    assert shown(midlands.eligibility)["Referrals received"] == ["*", "*"]
    assert shown(midlands.eligibility)["Eligible"] == ["*", "*"]
    # Three waits: the median of 1 to 7 values is hidden.
    assert shown(midlands.waits)["Referral to first contact"] == ["*", "*", "*", "*"]
    assert shown(dashboard_for(period="month-2025-06", region="not-known").eligibility)["Referrals received"] == [
        "*",
        "*",
    ]


@pytest.mark.usefixtures("june")
def test_filtering_by_profession_or_career_stage_alone_is_below_national_level() -> None:
    for params in ({"profession": "doctor"}, {"career_stage": "gp"}):
        filtered = dashboard_for(period="month-2025-06", **params)

        assert filtered.national is False
        assert shown(filtered.eligibility)["Referrals received"] == ["15", "100.0%"]
        assert shown(filtered.eligibility)["Not eligible"] == ["*", "*"]


@pytest.mark.usefixtures("june")
def test_filters_combine() -> None:
    combined = dashboard_for(period="month-2025-06", region="london", profession="doctor", career_stage="gp")
    nobody = dashboard_for(period="month-2025-06", region="london", profession="dentist")

    assert shown(combined.eligibility)["Referrals received"] == ["15", "100.0%"]
    assert shown(nobody.eligibility)["Referrals received"] == ["0", "No data"]
