"""The dashboard in headless Chromium: filters, charts and their data, errors; axe-core WCAG 2.2 A/AA."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinicians.models import AppointmentStatus
from practitioner_health.accounts.models import Role, User
from referrals.models import Eligibility
from reporting.periods import add_months, current_month, month_bounds, months_between
from reporting.services import facts_refresh_months
from tests.factories import ReferralFactory, UserFactory
from tests.support.browser import assert_accessible

from . import factories as f
from .factories import ANSWERED, NO_ANSWER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGIONS = ("london", "london", "london", "midlands", "north-west", "south-east", "")
STAGES = ("gp", "consultant", "foundation", "specialty-trainee")


@pytest.fixture
def service() -> None:
    """A year of a small service, up to last month, counted."""
    recorder = UserFactory(role=Role.CLINICIAN)
    months = months_between(add_months(current_month(), -11), add_months(current_month(), -1))
    for index, month in enumerate(months):
        start, _ = month_bounds(month)
        for n in range(6 + index % 5 * 3):
            referral = ReferralFactory(
                work_region=REGIONS[n % len(REGIONS)],
                career_stage=STAGES[n % len(STAGES)],
                channel=("web", "phone", "web", "app")[n % 4],
                eligibility=Eligibility.ELIGIBLE if n % 6 else Eligibility.NEEDS_REVIEW,
                needs=[("anxiety", "low-mood", "alcohol", "stress")[n % 4]],
                submitted_at=start + timedelta(days=n % 20, hours=9),
                first_contact_at=start + timedelta(days=n % 20 + 2, hours=11),
            )
            if n % 3 == 0:
                continue
            started = referral.submitted_at + timedelta(days=10 + n)
            ended = started + timedelta(weeks=8)
            care = f.course(
                referral,
                started=started,
                ended=ended if ended < timezone.now() else None,
                treatments=3 + n % 3,
                first=(12 + n % 10, 8 + n % 9),
                last=(4 + n % 12, 3 + n % 8),
                by=recorder,
            )
            if n % 4 == 0:
                f.appointment(care, started + timedelta(days=3), status=AppointmentStatus.DID_NOT_ATTEND)
            f.callback(
                [(referral.submitted_at + timedelta(hours=2), NO_ANSWER if n % 5 == 0 else ANSWERED)], referral=referral
            )
    facts_refresh_months(months=[*months, current_month()])


@pytest.mark.usefixtures("service")
def test_a_commissioner_filters_the_dashboard_and_reads_the_charts_data(
    live_server, signed_in_page: Callable[[User], Page], commissioner: User
) -> None:
    page = signed_in_page(commissioner)
    page.goto(live_server.url + "/reporting/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Service reporting")
    expect(page.get_by_role("img", name="Referrals received per month")).to_be_visible()
    expect(page.get_by_text("These are national figures")).to_be_visible()
    assert_accessible(page, "reporting-dashboard")

    last_month = add_months(current_month(), -1)
    page.get_by_label("Period").select_option(f"month-{last_month:%Y-%m}")
    page.get_by_label("Region of work").select_option("london")
    page.get_by_label("Profession").select_option("doctor")
    page.get_by_role("button", name="Show figures").click()

    expect(page).to_have_url(
        f"{live_server.url}/reporting/?period=month-{last_month:%Y-%m}&start=&end=&region=london&profession=doctor&career_stage="
    )
    figures = page.locator(".nhsuk-summary-list")
    expect(figures).to_contain_text(f"{last_month:%B %Y}")
    expect(figures).to_contain_text("London")
    expect(page.get_by_text("These figures are below national level")).to_be_visible()
    expect(page.get_by_role("table", name="Waiting times from referral")).to_be_visible()
    page.get_by_text("Show the data for this chart").click()
    expect(page.get_by_role("table", name="Referrals received per month")).to_be_visible()
    expect(page.get_by_role("link", name="Download these figures (CSV)")).to_have_attribute(
        "href", f"/reporting/export.csv?period=month-{last_month:%Y-%m}&region=london&profession=doctor"
    )
    assert_accessible(page, "reporting-dashboard-filtered")


def test_a_bad_range_is_explained_in_an_error_summary(
    live_server, signed_in_page: Callable[[User], Page], commissioner: User
) -> None:
    page = signed_in_page(commissioner)
    page.goto(live_server.url + "/reporting/")

    page.get_by_label("Period").select_option("custom")
    page.get_by_label("From", exact=True).select_option(f"{current_month():%Y-%m}")
    page.get_by_label("To", exact=True).select_option(f"{add_months(current_month(), -2):%Y-%m}")
    page.get_by_role("button", name="Show figures").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The first month must be the same as or before the last month")
    expect(page).to_have_title("Error: Service reporting - Practitioner Health")
    summary.get_by_role("link").click()
    expect(page.get_by_label("From", exact=True)).to_be_focused()
    assert_accessible(page, "reporting-dashboard-errors")


@pytest.mark.usefixtures("service")
def test_a_service_admin_sees_the_button_to_count_again(
    live_server, signed_in_page: Callable[[User], Page], admin_user: User
) -> None:
    page = signed_in_page(admin_user)
    page.goto(live_server.url + "/reporting/")

    expect(page.get_by_role("button", name="Count these figures again now")).to_be_visible()
    assert_accessible(page, "reporting-dashboard-service-admin")
