"""Refreshing the monthly facts: idempotent, one month at a time, on a schedule and on demand."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from clinicians.models import AppointmentStatus
from practitioner_health.accounts.models import User
from referrals.models import Referral
from reporting import tasks
from reporting.models import ALL, FACT_MODELS, FactsRefresh, ReferralFact, WaitFact, WaitKind
from reporting.services import facts_refresh, facts_refresh_recent, months_with_data
from tests.factories import ReferralFactory

from . import factories as f
from .factories import ANSWERED, at
from .helpers import counted, dashboard_for, refresh, shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]

JUNE, JULY, AUGUST = date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1)


def _facts() -> dict[str, list[tuple[object, ...]]]:
    """Every fact row, without its id, in a stable order."""
    facts = {}
    for model in FACT_MODELS:
        fields = [field.name for field in model._meta.concrete_fields if field.name != "id"]
        facts[model.__name__] = sorted(
            (tuple(str(value) for value in row) for row in model.objects.values_list(*fields)), key=str
        )
    return facts


@pytest.fixture
def june(recorder: User) -> None:
    for region, stage in (("london", "gp"), ("london", "consultant"), ("midlands", "gp"), ("", "foundation")):
        referral = ReferralFactory(
            work_region=region,
            career_stage=stage,
            needs=["stress"],
            submitted_at=at(2025, 6, 2),
            first_contact_at=at(2025, 6, 3),
        )
        care = f.course(
            referral,
            started=at(2025, 6, 4),
            ended=at(2025, 6, 28),
            treatments=3,
            first=(15, 10),
            last=(5, 4),
            by=recorder,
        )
        f.appointment(care, at(2025, 6, 26), status=AppointmentStatus.DID_NOT_ATTEND)
        f.callback([(at(2025, 6, 3, 9), ANSWERED)], referral=referral)


@pytest.mark.usefixtures("june")
def test_refreshing_twice_gives_the_same_facts() -> None:
    facts_refresh(month=JUNE)
    first = _facts()

    facts_refresh(month=JUNE)

    assert _facts() == first
    assert sum(len(rows) for rows in first.values()) > 0


@pytest.mark.usefixtures("june")
def test_every_fact_is_rolled_up_to_each_combination_of_all_regions_professions_and_stages() -> None:
    facts_refresh(month=JUNE)

    cells = set(ReferralFact.objects.values_list("region", "profession", "career_stage"))
    # Four base cells, and their roll-ups: every region / profession / stage may also be "all".
    assert ("london", "doctor", "gp") in cells and ("", "doctor", "foundation") in cells
    assert {(ALL, ALL, ALL), ("london", ALL, ALL), (ALL, "doctor", ALL), (ALL, ALL, "gp"), ("", ALL, ALL)} <= cells
    totals = ReferralFact.objects.get(region=ALL, profession=ALL, career_stage=ALL)
    assert totals.referrals == 4
    assert ReferralFact.objects.get(region="london", profession=ALL, career_stage=ALL).referrals == 2
    wait = WaitFact.objects.get(region=ALL, profession=ALL, career_stage=ALL, kind=WaitKind.FIRST_CONTACT)
    assert (wait.waits, wait.within_6_weeks, wait.days) == (4, 4, {"1": 4})


@pytest.mark.usefixtures("june")
def test_a_refresh_replaces_the_months_facts_with_what_is_there_now() -> None:
    refresh(JUNE)
    Referral.objects.filter(work_region="midlands").update(work_region="north-west")
    ReferralFactory(submitted_at=at(2025, 6, 20), work_region="north-west")

    refresh(JUNE)

    assert not ReferralFact.objects.filter(region="midlands").exists()
    assert ReferralFact.objects.get(region="north-west", profession=ALL, career_stage=ALL).referrals == 2
    assert counted(ReferralFact, JUNE, "referrals") == 5
    # 5 is hidden on the page, as every count of 1 to 7 is.
    assert shown(dashboard_for(period="month-2025-06").eligibility)["Referrals received"] == ["*", "*"]


@pytest.mark.usefixtures("june")
def test_refreshing_one_month_leaves_the_others_alone() -> None:
    ReferralFactory(submitted_at=at(2025, 7, 3))
    refresh(JUNE, JULY)
    july = [row for row in _facts()["ReferralFact"] if row[0] == "2025-07-01"]
    Referral.objects.filter(submitted_at__gte=at(2025, 7, 1, 0)).delete()

    refresh(JUNE)

    assert [row for row in _facts()["ReferralFact"] if row[0] == "2025-07-01"] == july


def test_a_month_that_has_not_started_is_refused() -> None:
    with pytest.raises(ValueError, match="September 2025 has not started yet"):
        facts_refresh(month=date(2025, 9, 1))
    with pytest.raises(CommandError, match="has not started yet"):
        call_command("refresh_reporting_facts", "--month", "2025-09")


def test_any_day_of_a_month_refreshes_that_month() -> None:
    ReferralFactory(submitted_at=at(2025, 6, 2))

    facts_refresh(month=date(2025, 6, 17))

    assert FactsRefresh.objects.get().month == JUNE
    assert ReferralFact.objects.filter(month=JUNE).exists()


@pytest.mark.usefixtures("june")
def test_the_beat_job_refreshes_this_month_and_last_month() -> None:
    assert settings.CELERY_BEAT_SCHEDULE["reporting-refresh-facts"]["task"] == "reporting.refresh_recent_facts"
    assert settings.CELERY_BEAT_SCHEDULE["reporting-refresh-facts"]["schedule"].total_seconds() == 15 * 60

    assert tasks.refresh_recent_facts() == ["2025-07", "2025-08"]
    assert set(FactsRefresh.objects.values_list("month", flat=True)) == {JULY, AUGUST}
    assert facts_refresh_recent() == [JULY, AUGUST]


@pytest.mark.usefixtures("june")
def test_the_nightly_job_refreshes_the_last_twelve_months() -> None:
    assert (
        settings.CELERY_BEAT_SCHEDULE["reporting-refresh-facts-nightly"]["task"] == "reporting.refresh_last_year_facts"
    )

    done = tasks.refresh_last_year_facts()

    assert (done[0], done[-1], len(done)) == ("2024-09", "2025-08", 12)


@pytest.mark.usefixtures("june")
def test_the_on_demand_task_refreshes_the_months_it_is_given() -> None:
    assert tasks.refresh_facts(["2025-06", "2025-05", "2025-06"]) == ["2025-05", "2025-06"]
    assert ReferralFact.objects.filter(month=JUNE).exists()


@pytest.mark.usefixtures("june")
def test_the_command_refreshes_one_month_recent_months_or_every_month(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("refresh_reporting_facts", "--month", "2025-06")
    assert "Refreshed June 2025" in capsys.readouterr().out
    assert set(FactsRefresh.objects.values_list("month", flat=True)) == {JUNE}

    call_command("refresh_reporting_facts")
    assert set(FactsRefresh.objects.values_list("month", flat=True)) == {JUNE, JULY, AUGUST}

    ReferralFactory(submitted_at=at(2025, 1, 15))
    call_command("refresh_reporting_facts", "--all")
    assert months_with_data()[0] == date(2025, 1, 1)
    assert FactsRefresh.objects.count() == 8


@pytest.mark.parametrize("bad", ["2025-6", "June", "2025-13", "25-06"])
def test_the_command_explains_a_badly_written_month(bad: str) -> None:
    with pytest.raises(CommandError, match="--month must look like 2025-04"):
        call_command("refresh_reporting_facts", "--month", bad)


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_of_the_same_month_at_once_take_turns() -> None:
    # The beat job and a service admin's button can overlap: neither may fail or double count.
    ReferralFactory(submitted_at=at(2025, 6, 2))
    ReferralFactory(submitted_at=at(2025, 6, 3))
    facts_refresh(month=JUNE)
    ReferralFactory(submitted_at=at(2025, 6, 4))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def refresh_june() -> None:
        try:
            start.wait()
            facts_refresh(month=JUNE)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh_june) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ReferralFact.objects.get(month=JUNE, region=ALL, profession=ALL, career_stage=ALL).referrals == 3
    assert FactsRefresh.objects.filter(month=JUNE).count() == 1
