"""Disclosure control on the dashboard: every figure, national included, through suppress / rate /
suppress_median (1-7 hidden, others to the nearest 5, rates from the rounded figures, medians of
1-7 values hidden), and every breakdown through suppress_breakdown (withheld whole when its
total is hidden; never a lone hidden cell)."""

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
    """19 referrals in June 2025: 15 from London (9 eligible, 4 not, 2 for a handler to review),
    3 from the Midlands and 1 returner with no region (all eligible). First contacts: 8 in London
    after 1 to 8 days, 3 in the Midlands after 10 days each."""
    london = [
        ReferralFactory(
            work_region="london",
            eligibility=(
                Eligibility.ELIGIBLE if n < 9 else Eligibility.INELIGIBLE if n < 13 else Eligibility.NEEDS_REVIEW
            ),
            needs=["anxiety"],
            submitted_at=at(2025, 6, 2),
        )
        for n in range(15)
    ]
    for days, referral in enumerate(london[:8], start=1):
        referral.first_contact_at = referral.submitted_at + timedelta(days=days)
        referral.save(update_fields=["first_contact_at"])
    for _ in range(3):
        ReferralFactory(work_region="midlands", submitted_at=at(2025, 6, 3), first_contact_at=at(2025, 6, 13))
    ReferralFactory(work_region="", submitted_at=at(2025, 6, 4))
    refresh(JUNE)


@pytest.mark.usefixtures("june")
def test_national_figures_are_suppressed_like_any_other() -> None:
    national = dashboard_for(period="month-2025-06")

    assert national.national is True
    # 19 rounds to 20; 13 eligible to 15, and 15 of 20 is 75.0% (the raw 13 of 19 would be 68.4%).
    assert shown(national.eligibility) == {
        "Referrals received": ["20", "100.0%"],
        "Eligible": ["15", "75.0%"],
        # 4 and 2 are hidden, and so are their rates.
        "Not eligible": ["*", "*"],
        "Needs review by a handler": ["*", "*"],
        "Not yet decided": ["0", "0.0%"],
    }
    assert first_column(national.by_channel)["Website"] == "20"
    assert first_column(national.by_need)["Anxiety"] == "15"
    # 11 first contacts (rounded: 10): 1..8 days and three of 10; the middle one is 6 days.
    assert shown(national.waits)["Referral to first contact"] == ["10", "6 days", "100.0%", "100.0%"]


@pytest.mark.usefixtures("june")
def test_breakdowns_by_region_profession_and_career_stage_are_suppressed_too() -> None:
    national = dashboard_for(period="month-2025-06")

    regions = first_column(national.by_region)
    assert (regions["London"], regions["Midlands"], regions["Not known"], regions["North West"]) == (
        "15",
        "*",
        "*",
        "0",
    )
    # 19 doctors, all GPs: rounded to 20, as the filtered page shows.
    assert first_column(national.by_profession) == {"Doctor": "20", "Dentist": "0"}
    assert first_column(national.by_career_stage)["GP"] == "20"


@pytest.mark.usefixtures("june")
def test_one_region_is_rounded_and_its_rates_come_from_the_rounded_figures() -> None:
    london = dashboard_for(period="month-2025-06", region="london")

    assert london.national is False
    assert shown(london.eligibility) == {
        "Referrals received": ["15", "100.0%"],
        # 9 rounds to 10, and 10 of 15 is 66.7% (the raw 9 of 15 would be 60.0%).
        "Eligible": ["10", "66.7%"],
        # 4 and 2 are hidden, and so are their rates.
        "Not eligible": ["*", "*"],
        "Needs review by a handler": ["*", "*"],
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
        assert shown(filtered.eligibility)["Referrals received"] == ["20", "100.0%"]
        assert shown(filtered.eligibility)["Not eligible"] == ["*", "*"]


@pytest.mark.usefixtures("june")
def test_filters_combine() -> None:
    combined = dashboard_for(period="month-2025-06", region="london", profession="doctor", career_stage="gp")
    nobody = dashboard_for(period="month-2025-06", region="london", profession="dentist")

    assert shown(combined.eligibility)["Referrals received"] == ["15", "100.0%"]
    assert shown(nobody.eligibility)["Referrals received"] == ["0", "No data"]


# --- Breakdowns ----------------------------------------------------------------------------

DECEMBER = date(2024, 12, 1)


def test_one_referral_in_a_month_is_a_star_nationally_and_every_breakdown_of_it_is_withheld() -> None:
    """One gambling referral in December, a dentist in the South West who also asked about
    relationships: before, the national page said 1, and zeros beside the stars said the rest."""
    ReferralFactory(
        channel="phone",
        profession="dentist",
        register="GDC",
        career_stage="general-dental",
        work_region="south-west",
        needs=["gambling", "relationships"],
        submitted_at=at(2024, 12, 9),
    )
    refresh(DECEMBER)

    december = dashboard_for(period="month-2024-12")

    assert set(map(tuple, shown(december.eligibility).values())) == {("*", "*")}
    for table in (
        december.trend,
        december.by_channel,
        december.by_need,
        december.by_profession,
        december.by_career_stage,
        december.by_region,
    ):
        assert set(first_column(table).values()) == {"*"}, table.caption


def test_a_breakdown_with_one_small_cell_hides_the_next_smallest_too() -> None:
    # 3 dentists and 9 doctors: 12 shows as 10; 9 would show as 10 too, and 10 less 10 leaves
    # the dentists at "about nothing", so the doctors are hidden with them.
    for n in range(12):
        dentist = n < 3
        ReferralFactory(
            profession="dentist" if dentist else "doctor",
            register="GDC" if dentist else "GMC",
            career_stage="general-dental" if dentist else "gp",
            channel="phone" if dentist else "web",
            submitted_at=at(2024, 12, 2 + n),
        )
    refresh(DECEMBER)

    december = dashboard_for(period="month-2024-12")

    assert shown(december.eligibility)["Referrals received"] == ["10", "100.0%"]
    assert first_column(december.by_profession) == {"Doctor": "*", "Dentist": "*"}
    assert first_column(december.by_channel) == {"Website": "*", "Phone (logged by a handler)": "*", "App": "0"}
    stages = first_column(december.by_career_stage)
    assert (stages["GP"], stages["General dental practitioner"], stages["Consultant"]) == ("*", "*", "0")
    # The month's own line point is a total, never hidden beside another: 12 shows as 10.
    assert first_column(december.trend)["Dec 2024"] == "10"
