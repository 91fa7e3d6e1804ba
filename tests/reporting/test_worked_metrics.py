"""Each dashboard figure on a small hand-built service, with the answers worked out by hand.

All figures here are national (no region, profession or career-stage filter), so they are
shown as counted; disclosure control below national level is in test_disclosure_applied.
"Now" is 10 August 2025 in the UK (British Summer Time).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from clinicians.models import AppointmentKind, AppointmentStatus, CareEpisode, DischargeReason
from practitioner_health.accounts.models import User
from referrals.models import Eligibility
from tests.factories import ReferralFactory

from . import factories as f
from .factories import ANSWERED, NO_ANSWER, at
from .helpers import dashboard_for, first_column, refresh, shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]

APRIL, MAY, JUNE, JULY, AUGUST = (date(2025, m, 1) for m in (4, 5, 6, 7, 8))


# --- Referrals ------------------------------------------------------------------------------


def test_referrals_are_counted_in_their_uk_month_by_channel_need_and_eligibility() -> None:
    ReferralFactory(channel="web", needs=["low-mood", "anxiety"], submitted_at=at(2025, 6, 2))
    ReferralFactory(
        channel="phone",
        career_stage="consultant",
        eligibility=Eligibility.INELIGIBLE,
        needs=["alcohol"],
        submitted_at=at(2025, 6, 10),
    )
    ReferralFactory(
        channel="web",
        profession="dentist",
        register="GDC",
        career_stage="general-dental",
        work_region="",
        eligibility=Eligibility.NEEDS_REVIEW,
        needs=["stress"],
        submitted_at=at(2025, 6, 30, 23, 30),
    )
    ReferralFactory(
        channel="app", career_stage="foundation", work_region="midlands", eligibility="", submitted_at=at(2025, 6, 15)
    )
    # Either side of June in UK time: 00:30 BST on 1 July is still 30 June in UTC.
    ReferralFactory(submitted_at=at(2025, 7, 1, 0, 30))
    ReferralFactory(submitted_at=at(2025, 5, 31, 23, 59))
    refresh(MAY, JUNE, JULY)

    june = dashboard_for(period="month-2025-06")

    assert shown(june.eligibility) == {
        "Referrals received": ["4", "100.0%"],
        "Eligible": ["1", "25.0%"],
        "Not eligible": ["1", "25.0%"],
        "Needs review by a handler": ["1", "25.0%"],
        "Not yet decided": ["1", "25.0%"],
    }
    assert first_column(june.by_channel) == {"Website": "2", "Phone (logged by a handler)": "1", "App": "1"}
    needs = first_column(june.by_need)
    assert {need: n for need, n in needs.items() if n != "0"} == {
        "Low mood": "1",
        "Anxiety": "1",
        "Alcohol": "1",
        "Stress or burnout": "1",
    }
    trend = first_column(june.trend)
    months = list(trend)
    assert (months[0], months[-1]) == ("Jul 2024", "Jun 2025")
    assert (trend["May 2025"], trend["Jun 2025"]) == ("1", "4")
    assert dashboard_for(period="month-2025-07").eligibility.row("Referrals received").figures[0].value == 1


def test_a_quarter_adds_up_its_three_months() -> None:
    for day in (at(2025, 4, 3), at(2025, 5, 3), at(2025, 5, 4), at(2025, 6, 30, 22)):
        ReferralFactory(submitted_at=day)
    ReferralFactory(submitted_at=at(2025, 7, 1, 9))
    refresh(APRIL, MAY, JUNE, JULY)

    quarter = dashboard_for(period="quarter-2025-q1")

    assert quarter.filters.period.label == "Q1 2025/26 (April to June 2025)"
    assert quarter.eligibility.row("Referrals received").figures[0].value == 4


# --- Waits ----------------------------------------------------------------------------------


def _treated(days_waited: int, first_treatment: datetime) -> CareEpisode:
    """A referral whose first attended treatment was `days_waited` days after it was made."""
    referral = ReferralFactory(submitted_at=first_treatment - timedelta(days=days_waited))
    care = f.episode(referral, started=referral.submitted_at + timedelta(days=1))
    f.appointment(care, first_treatment)
    return care


def test_waits_to_first_appointment_and_first_treatment_against_6_and_18_weeks() -> None:
    # First attended treatment in June after 10, 20, 30, 42, 43, 50, 126, 127 and 200 days.
    for days, day in ((10, 2), (20, 5), (30, 9), (42, 12), (43, 16), (126, 20), (127, 23)):
        _treated(days, at(2025, 6, day))
    # A missed treatment appointment is not a start of treatment.
    missed_first = _treated(50, at(2025, 6, 18))
    f.appointment(missed_first, at(2025, 6, 11), status=AppointmentStatus.DID_NOT_ATTEND)
    # Assessed in May, so the first appointment was in May; treatment started in June.
    assessed_in_may = _treated(200, at(2025, 6, 30, 17))
    f.appointment(assessed_in_may, at(2025, 5, 28), kind=AppointmentKind.ASSESSMENT)
    # Not June starts: treatment began in May; only booked; began at 00:30 BST on 1 July.
    began_in_may = _treated(15, at(2025, 5, 20))
    f.appointment(began_in_may, at(2025, 6, 10))
    booked = f.episode(ReferralFactory(submitted_at=at(2025, 5, 1)), started=at(2025, 5, 2))
    f.appointment(booked, at(2025, 6, 25), status=AppointmentStatus.BOOKED)
    _treated(35, at(2025, 7, 1, 0, 30))
    refresh(MAY, JUNE, JULY)

    waits = shown(dashboard_for(period="month-2025-06").waits)

    # Treatment: 9 waits; median is the 5th, 43 days; within 42 days: 4 of 9 (44.4%);
    # within 126 days: 7 of 9 (77.8%).
    assert waits["Referral to first treatment"] == ["9", "43 days", "44.4%", "77.8%"]
    # First appointment: the 8 without the one assessed in May; median (42 + 43) / 2;
    # 4 of 8 within 6 weeks (50.0%), 7 of 8 within 18 weeks (87.5%).
    assert waits["Referral to first appointment"] == ["8", "42.5 days", "50.0%", "87.5%"]
    may = shown(dashboard_for(period="month-2025-05").waits)
    assert may["Referral to first treatment"] == ["1", "15 days", "100.0%", "100.0%"]
    assert may["Referral to first appointment"][0] == "2"
    assert shown(dashboard_for(period="month-2025-07").waits)["Referral to first treatment"][0] == "1"


def test_wait_to_first_contact_counts_uk_calendar_days() -> None:
    # Referred 23:30 BST, called back 00:30 BST: an hour, but the next day in the UK.
    ReferralFactory(submitted_at=at(2025, 6, 1, 23, 30), first_contact_at=at(2025, 6, 2, 0, 30))
    ReferralFactory(submitted_at=at(2025, 6, 3), first_contact_at=at(2025, 6, 8))
    # A phone referral logged just after the call that made contact: no wait, not a negative one.
    ReferralFactory(channel="phone", submitted_at=at(2025, 6, 9, 15, 5), first_contact_at=at(2025, 6, 9, 15))
    # Referred in June, first contacted in July: a July wait.
    ReferralFactory(submitted_at=at(2025, 6, 30), first_contact_at=at(2025, 7, 14))
    refresh(JUNE, JULY)

    assert shown(dashboard_for(period="month-2025-06").waits)["Referral to first contact"] == [
        "3",
        "1 day",
        "100.0%",
        "100.0%",
    ]
    assert shown(dashboard_for(period="month-2025-07").waits)["Referral to first contact"] == [
        "1",
        "14 days",
        "100.0%",
        "100.0%",
    ]


def test_a_period_with_no_waits_says_so() -> None:
    refresh(JUNE)

    waits = shown(dashboard_for(period="month-2025-06").waits)

    assert waits["Referral to first treatment"] == ["0", "No data", "No data", "No data"]


# --- Outcomes and discharges ----------------------------------------------------------------


def test_outcomes_of_courses_finished_in_june(recorder: User) -> None:
    def course(**kwargs: object) -> None:
        f.course(ReferralFactory(submitted_at=at(2025, 4, 1)), started=at(2025, 5, 1), by=recorder, **kwargs)

    ended = at(2025, 6, 20)
    # Recovered and reliably improved on both measures: reliable recovery.
    course(ended=ended, treatments=3, first=(20, 15), last=(8, 5))
    # Recovered (left caseness) but neither change is reliable.
    course(ended=ended, treatments=2, first=(12, 9), last=(9, 7))
    # At caseness throughout, PHQ-9 down 5: no reliable change.
    course(ended=ended, treatments=2, first=(16, 6), last=(11, 6))
    # Not at caseness at the start; PHQ-9 up 6: reliable deterioration.
    course(ended=ended, treatments=2, first=(4, 3), last=(10, 3))
    # One attended treatment appointment: not a finished course, whatever the scores.
    one = f.course(
        ReferralFactory(submitted_at=at(2025, 4, 1)),
        started=at(2025, 5, 1),
        ended=ended,
        treatments=1,
        first=(20, 15),
        last=(5, 5),
        by=recorder,
        reason=DischargeReason.DID_NOT_ATTEND,
    )
    f.appointment(one, at(2025, 5, 20), status=AppointmentStatus.DID_NOT_ATTEND)
    # Finished, but only one score of each: no first-and-last pair.
    course(ended=ended, treatments=3, first=(20, 15), reason=DischargeReason.DECLINED)
    # Ended 1 July; and one still in treatment.
    course(ended=at(2025, 7, 1, 9), treatments=3, first=(20, 15), last=(2, 2))
    course(ended=None, treatments=3, first=(20, 15), last=(2, 2))
    refresh(JUNE, JULY)

    june = dashboard_for(period="month-2025-06")

    treatment = first_column(june.treatment)
    assert treatment["Finished courses of treatment"] == "5"
    assert treatment["Finished courses with first and last scores"] == "4"
    assert treatment["Finished courses at caseness at the start"] == "3"
    assert shown(june.outcomes) == {
        # 2 recovered of 3 at caseness at the start.
        "Recovery (standard 50%)": ["2", "3", "66.7%"],
        # 1 reliably improved of 4 with paired scores.
        "Reliable improvement": ["1", "4", "25.0%"],
        "Reliable recovery": ["1", "3", "33.3%"],
        "Reliable deterioration": ["1", "4", "25.0%"],
    }
    assert {reason: n for reason, n in first_column(june.discharges).items() if n != "0"} == {
        "Completed treatment": "4",
        "Did not attend": "1",
        "Declined further care": "1",
    }
    assert first_column(dashboard_for(period="month-2025-07").treatment)["Finished courses of treatment"] == "1"


def test_referrals_closed_before_care_are_counted_by_reason_in_the_month_they_closed() -> None:
    def closed(reason: str, on: datetime, **kwargs: object) -> None:
        ReferralFactory(status="closed", closed_reason=reason, closed_at=on, submitted_at=at(2025, 5, 20), **kwargs)

    closed("not_reached", at(2025, 6, 3))
    closed("not_reached", at(2025, 6, 30, 23, 30))  # UK time, as every `at` here
    closed("withdrawn", at(2025, 6, 12))
    closed("declined", at(2025, 6, 13), work_region="midlands")
    closed("ineligible", at(2025, 6, 2), eligibility=Eligibility.INELIGIBLE)
    closed("withdrawn", at(2025, 7, 1, 0, 30))  # still 30 June in UTC, but July's
    # Discharged after care, and closed as far back as the records go (no reason kept): not here.
    ReferralFactory(status="discharged", closed_at=at(2025, 6, 5), submitted_at=at(2025, 6, 2))
    ReferralFactory(status="closed", closed_reason="", closed_at=at(2025, 6, 6), submitted_at=at(2025, 6, 2))
    refresh(JUNE, JULY)

    assert first_column(dashboard_for(period="month-2025-06").closures) == {
        "Not eligible": "1",
        "The helpline could not reach them": "2",
        "Declined the service when the helpline spoke to them": "1",
        "Stopped their referral themselves": "1",
    }
    assert first_column(dashboard_for(period="month-2025-07").closures)["Stopped their referral themselves"] == "1"
    # Below national level, a count of 1 to 7 is a star.
    midlands = first_column(dashboard_for(period="month-2025-06", region="midlands").closures)
    assert midlands["Declined the service when the helpline spoke to them"] == "*"
    assert midlands["The helpline could not reach them"] == "0"


def test_caseload_is_counted_at_the_end_of_the_month_and_now_for_this_month() -> None:
    def care(started: datetime, ended: datetime | None = None) -> None:
        f.episode(ReferralFactory(submitted_at=at(2025, 4, 1)), started=started, ended=ended)

    care(at(2025, 5, 2))  # still in care
    care(at(2025, 6, 5), at(2025, 7, 3))  # in care at the end of June, not now
    care(at(2025, 6, 1), at(2025, 6, 20))  # discharged within June
    care(at(2025, 7, 2))  # started after June
    refresh(JUNE, AUGUST)

    assert (
        first_column(dashboard_for(period="month-2025-06").treatment)["Active caseload at the end of June 2025"] == "2"
    )
    # This month (and a period running into the future) shows the caseload at the last count.
    for params in ({"period": "month-2025-08"}, {"period": "year-2025"}):
        assert first_column(dashboard_for(**params).treatment)["Active caseload now"] == "2"


# --- Appointments and callbacks -------------------------------------------------------------


def test_did_not_attend_rate_is_missed_out_of_attended_and_missed() -> None:
    care = f.episode(ReferralFactory(submitted_at=at(2025, 4, 1)), started=at(2025, 4, 10))
    for day in (2, 4, 9, 11, 16, 18):
        f.appointment(care, at(2025, 6, day))
    for day in (23, 25):
        f.appointment(care, at(2025, 6, day), status=AppointmentStatus.DID_NOT_ATTEND)
    # Cancelled and still-booked appointments are neither.
    f.appointment(care, at(2025, 6, 27), status=AppointmentStatus.CANCELLED_BY_PRACTITIONER)
    f.appointment(care, at(2025, 6, 30), status=AppointmentStatus.BOOKED)
    f.appointment(care, at(2025, 5, 14))
    f.appointment(care, at(2025, 7, 2), status=AppointmentStatus.DID_NOT_ATTEND)
    refresh(APRIL, MAY, JUNE, JULY)

    # June: 2 missed of 8 attended or missed.
    assert shown(dashboard_for(period="month-2025-06").appointments) == {
        "Appointments attended": ["6"],
        "Appointments not attended (did not attend)": ["2"],
        "Did-not-attend rate": ["25.0%"],
    }
    # April to June: 7 attended, 2 missed: 2 of 9.
    assert shown(dashboard_for(period="quarter-2025-q1").appointments)["Did-not-attend rate"] == ["22.2%"]


def test_callbacks_count_in_the_month_of_their_first_call_and_as_answered_if_any_call_was() -> None:
    referral = ReferralFactory(submitted_at=at(2025, 5, 1))
    f.callback([(at(2025, 6, 4, 10), NO_ANSWER), (at(2025, 6, 4, 11), ANSWERED)], referral=referral)
    f.callback([(at(2025, 6, 10, 10), NO_ANSWER), (at(2025, 6, 10, 12), NO_ANSWER)], referral=referral)
    # An out-of-hours caller who has not referred: no referral, still a callback.
    f.callback([(at(2025, 6, 20, 9), ANSWERED)])
    # First called in May, answered in June: a May callback.
    f.callback([(at(2025, 5, 30, 16), NO_ANSWER), (at(2025, 6, 2, 9), ANSWERED)], referral=referral)
    refresh(MAY, JUNE)

    assert shown(dashboard_for(period="month-2025-06").callbacks) == {
        "Callbacks made": ["3"],
        "Callbacks answered": ["2"],
        "Answered rate": ["66.7%"],
    }
    assert shown(dashboard_for(period="month-2025-05").callbacks)["Callbacks answered"] == ["1"]
