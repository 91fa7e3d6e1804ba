"""The dashboard page, its filters, the CSV export and the refresh button, as their users see them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicians.models import AppointmentStatus
from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action, AuditEvent
from reporting import tasks
from reporting.figures import Figure
from reporting.models import FactsRefresh, ReferralFact
from tests.factories import ReferralFactory

from . import factories as f
from .factories import ANSWERED, at
from .helpers import page_tables, refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]

APRIL, MAY, JUNE, JULY = date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)


def _service(recorder: User, *, per_region: int, regions: tuple[str, ...] = ("london", "midlands")) -> None:
    """Referrals in each region with a course of treatment, a missed appointment and a callback."""
    for region in regions:
        for n in range(per_region):
            referral = ReferralFactory(
                work_region=region, needs=["anxiety", "low-mood"], submitted_at=at(2025, 5, 1 + n % 28)
            )
            care = f.course(
                referral,
                started=at(2025, 5, 10),
                ended=at(2025, 6, 20),
                treatments=3,
                first=(18, 12),
                last=(6, 4),
                by=recorder,
            )
            f.appointment(care, at(2025, 6, 2), status=AppointmentStatus.DID_NOT_ATTEND)
            f.callback([(at(2025, 5, 2), ANSWERED)], referral=referral)


@pytest.fixture
def service(recorder: User) -> None:
    _service(recorder, per_region=10)
    refresh(MAY, JUNE, JULY)


# --- The page -------------------------------------------------------------------------------


@pytest.mark.usefixtures("service")
def test_commissioner_sees_the_figures_for_the_chosen_filters(commissioner: User, client_for: Callable) -> None:
    response = client_for(commissioner).get("/reporting/", {"period": "quarter-2025-q1", "region": "london"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Q1 2025/26 (April to June 2025)" in html
    assert "These figures are below national level" in html
    tables = page_tables(html)
    # 10 London referrals (rounded: 10), each with 2 needs, a finished, recovered course.
    assert tables["Referrals received and their eligibility"]["Referrals received"] == ["10", "100.0%"]
    assert tables["Referrals by what people want help with"]["Anxiety"] == ["10"]
    assert tables["Outcomes of finished courses of treatment"]["Recovery (standard 50%)"] == ["10", "10", "100.0%"]
    # 30 attended and 10 missed appointments: 10 of 40 (rounded 30 and 10).
    assert tables["Appointments"]["Did-not-attend rate"] == ["25.0%"]
    # The charts are SVG images with a text alternative, each followed by its data.
    assert html.count('role="img" aria-labelledby=') == 4
    assert "Show the data for this chart" in html


def test_the_filters_show_what_was_chosen_each_time(commissioner: User, client_for: Callable) -> None:
    client = client_for(commissioner)

    def chosen(html: str, name: str) -> list[str]:
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
        assert select is not None
        return re.findall(r'<option value="([^"]*)" selected>', select.group(0))

    first = client.get("/reporting/", {"period": "quarter-2025-q1", "region": "london"}).content.decode()
    assert chosen(first, "period") == ["quarter-2025-q1"] and chosen(first, "region") == ["london"]
    # The same lists with other choices: nothing of the first request's selection is left.
    second = client.get("/reporting/", {"period": "month-2025-06", "region": "midlands"}).content.decode()
    assert chosen(second, "period") == ["month-2025-06"] and chosen(second, "region") == ["midlands"]
    custom = client.get("/reporting/", {"period": "custom", "start": "2025-02", "end": "2025-05"}).content.decode()
    assert chosen(custom, "start") == ["2025-02"] and chosen(custom, "end") == ["2025-05"]


@pytest.mark.usefixtures("service")
def test_the_default_is_this_financial_year_nationally(commissioner: User, client_for: Callable) -> None:
    response = client_for(commissioner).get("/reporting/")

    html = response.content.decode()
    assert "Financial year 2025/26 (April 2025 to March 2026)" in html
    assert "These are national figures" in html
    assert page_tables(html)["Referrals received and their eligibility"]["Referrals received"] == ["20", "100.0%"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "month-2025-13"}, "Select a period from the list"),
        ({"period": "'; DROP TABLE referrals_referral; --"}, "Select a period from the list"),
        ({"period": "year-2030"}, "Select a period from the list"),
        ({"region": "atlantis"}, "Select a region from the list"),
        ({"profession": "pharmacist"}, "Select a profession from the list"),
        ({"career_stage": "x" * 5000}, "Select a career stage from the list"),
        ({"period": "custom"}, "Select the first month of the range"),
        ({"period": "custom", "start": "2025-01"}, "Select the last month of the range"),
        ({"period": "custom", "start": "2025-06", "end": "2025-01"}, "The first month must be the same as or before"),
        (
            {"period": "custom", "start": "1999-01", "end": "2025-01"},
            "Select the first month of the range from the list",
        ),
    ],
)
def test_bad_filters_get_an_error_summary_not_figures(
    params: dict[str, str], message: str, commissioner: User, client_for: Callable
) -> None:
    response = client_for(commissioner).get("/reporting/", params)

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error: " in html
    assert 'id="figures"' not in html
    assert client_for(commissioner).get("/reporting/export.csv", params).status_code == 400


@pytest.mark.usefixtures("service")
def test_a_custom_range_of_months(commissioner: User, client_for: Callable) -> None:
    response = client_for(commissioner).get("/reporting/", {"period": "custom", "start": "2025-05", "end": "2025-06"})

    tables = page_tables(response.content.decode())
    assert "May 2025 to June 2025" in response.content.decode()
    assert tables["Referrals received and their eligibility"]["Referrals received"] == ["20", "100.0%"]
    assert tables["Callbacks from the helpline"]["Callbacks made"] == ["20"]


def test_months_not_yet_counted_are_flagged(commissioner: User, client_for: Callable) -> None:
    refresh(JUNE)

    html = client_for(commissioner).get("/reporting/", {"period": "quarter-2025-q1"}).content.decode()

    # June is counted; April and May are not.
    assert "Some months have not been counted yet" in html
    assert "Figures for 2 of the months shown" in html


@pytest.mark.usefixtures("service")
@pytest.mark.parametrize(
    ("params", "months"),
    [
        ({"period": "month-2025-06"}, ["Jun 2025"]),
        ({"period": "quarter-2025-q1"}, ["Apr 2025", "May 2025", "Jun 2025"]),
        ({"period": "custom", "start": "2025-05", "end": "2025-07"}, ["May 2025", "Jun 2025", "Jul 2025"]),
        # A financial year that has not ended: April to this month, never the calendar year.
        ({"period": "year-2025"}, ["Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Aug 2025 (so far)"]),
    ],
    ids=["month", "quarter", "custom", "this-year"],
)
def test_the_referrals_chart_and_its_table_follow_the_chosen_period(
    params: dict[str, str], months: list[str], commissioner: User, client_for: Callable
) -> None:
    html = client_for(commissioner).get("/reporting/", params).content.decode()

    tables = page_tables(html)
    caption = next(caption for caption in tables if caption.startswith("Referrals received per month"))
    assert list(tables[caption]) == months
    chart = re.search(r'<svg[^>]*aria-labelledby="referrals-chart-title.*?</svg>', html, re.S)
    assert chart is not None
    # One point or hidden mark per month of the period, and the chart says which months.
    points = chart.group(0).count("<circle") + chart.group(0).count('font-weight="bold">*</text>')
    assert points == len(months)
    first = months[0].split(" (")[0]
    assert first.split()[0] in re.search(r"<desc[^>]*>(.*?)</desc>", chart.group(0), re.S).group(1)  # type: ignore[union-attr]


# --- CSV ------------------------------------------------------------------------------------


def _figure(value: str, unit: str) -> Figure:
    """A CSV cell read back as the figure it stands for."""
    if value in ("", "*"):
        return Figure(value or None, unit)  # type: ignore[arg-type]
    return Figure(int(value) if unit == "count" else float(value), unit)  # type: ignore[arg-type]


@pytest.mark.usefixtures("service")
@pytest.mark.parametrize(
    "params",
    [{"period": "quarter-2025-q1"}, {"period": "quarter-2025-q1", "region": "midlands", "profession": "doctor"}],
    ids=["national", "below-national"],
)
def test_csv_holds_exactly_the_figures_on_screen(
    params: dict[str, str], commissioner: User, client_for: Callable
) -> None:
    client = client_for(commissioner)
    screen = page_tables(client.get("/reporting/", params).content.decode())

    response = client.get("/reporting/export.csv", params)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="service-reporting-2025-04-to-2025-06.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    from_csv: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        shown = str(_figure(row["Value"], row["Unit"]))
        from_csv.setdefault(row["Table"], {}).setdefault(row["Row"], []).append(shown)
    assert from_csv == screen
    assert {row["Region"] for row in rows} == {"Midlands" if "region" in params else "All regions"}


@pytest.mark.usefixtures("service")
def test_each_export_is_audited(commissioner: User, client_for: Callable) -> None:
    client_for(commissioner).get("/reporting/export.csv", {"period": "month-2025-06", "region": "london"})

    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == commissioner
    assert event.object_type == "reporting.dashboard"
    assert "June 2025" in event.detail and "London" in event.detail


# --- Refreshing on demand -------------------------------------------------------------------


def test_only_service_admins_see_the_refresh_button(commissioner: User, admin_user: User, client_for: Callable) -> None:
    assert "Count these figures again now" not in client_for(commissioner).get("/reporting/").content.decode()
    assert "Count these figures again now" in client_for(admin_user).get("/reporting/").content.decode()


def test_a_service_admin_can_have_the_months_on_show_counted_again(
    admin_user: User,
    commissioner: User,
    client_for: Callable,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    # The task runs here rather than on a worker, so the test sees what it does.
    monkeypatch.setattr(tasks.refresh_facts, "delay", lambda months: tasks.refresh_facts(months))
    ReferralFactory(submitted_at=at(2025, 6, 5))

    admin = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/reporting/refresh", {"period": "month-2025-06", "region": "london"})

    assert response.status_code == 302
    assert response["Location"] == "/reporting/?period=month-2025-06&region=london"
    # June, the one month on show, was counted.
    assert FactsRefresh.objects.count() == 1
    assert ReferralFact.objects.filter(month=JUNE, region="all", profession="all", career_stage="all").exists()
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="reporting.facts").count() == 1
    page = admin.get(response["Location"]).content.decode()
    assert "are being counted again" in page
    assert client_for(commissioner).post("/reporting/refresh", {"period": "month-2025-06"}).status_code == 403


# --- Scale ----------------------------------------------------------------------------------


def test_the_dashboard_runs_a_fixed_number_of_queries_however_much_data(
    recorder: User, commissioner: User, client_for: Callable, django_assert_max_num_queries: Callable
) -> None:
    client = client_for(commissioner)
    url = "/reporting/"
    params = {"period": "custom", "start": "2025-05", "end": "2025-07", "region": "london"}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    _service(recorder, per_region=2)
    refresh(MAY, JUNE, JULY)
    queries()  # the first request of a session does some once-only work
    cache.clear()
    small = queries()
    _service(recorder, per_region=12, regions=("london", "midlands", "north-west", "south-east", ""))
    refresh(MAY, JUNE, JULY)

    # Counted afresh after the refresh, then kept.
    with django_assert_max_num_queries(20):
        assert client.get(url, params).status_code == 200
    kept = queries()
    cache.clear()
    assert queries() == small
    assert kept <= small - 9  # the nine queries of the fact tables


# --- When the figures were counted ------------------------------------------------------------


def _counted_line(html: str) -> str:
    found = re.search(r'<p class="ph-report-counted">(.*?)</p>', html, re.S)
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_last_counted_moves_when_new_activity_is_counted_and_says_how_old_the_figures_are(
    commissioner: User, client_for: Callable
) -> None:
    client = client_for(commissioner)
    params = {"period": "quarter-2025-q1"}
    with time_machine.travel(at(2025, 8, 9, 3), tick=False):
        refresh(APRIL, MAY, JUNE)
    with time_machine.travel(at(2025, 8, 10, 11, 48), tick=False):
        before = _counted_line(client.get("/reporting/", params).content.decode())
    assert before == "Last counted: 9 August 2025, 03:00. Figures counted 1 day ago."

    # New activity in June, counted again by the beat job or a service admin's button.
    f.ReferralFactory(submitted_at=at(2025, 6, 20))
    with time_machine.travel(at(2025, 8, 10, 11, 48), tick=False):
        refresh(JUNE)
    with time_machine.travel(at(2025, 8, 10, 12), tick=False):
        after = _counted_line(client.get("/reporting/", params).content.decode())

    # The newest count, and how old the oldest one shown is.
    assert after == (
        "Last counted: 10 August 2025, 11:48. Figures counted 12 minutes ago; "
        "the earliest of the months shown was counted 1 day ago."
    )


def test_how_old_the_figures_are_is_worked_out_on_each_visit_not_cached(
    commissioner: User, client_for: Callable
) -> None:
    client = client_for(commissioner)
    with time_machine.travel(at(2025, 8, 10, 12), tick=False):
        refresh(JUNE)
        assert "Figures counted just now." in _counted_line(
            client.get("/reporting/", {"period": "month-2025-06"}).content.decode()
        )
    # (Within the idle timeout of the signed-in session.)
    with time_machine.travel(at(2025, 8, 10, 12, 7), tick=False):
        assert "Figures counted 7 minutes ago." in _counted_line(
            client.get("/reporting/", {"period": "month-2025-06"}).content.decode()
        )


def test_figures_never_counted_say_so(commissioner: User, client_for: Callable) -> None:
    html = client_for(commissioner).get("/reporting/", {"period": "month-2025-06"}).content.decode()

    assert _counted_line(html) == "Last counted: These figures have not been counted yet."
