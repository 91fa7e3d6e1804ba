"""Each dashboard figure on a small hand-built service, with the answers worked out by hand.

Every figure shown is suppressed, national included (test_disclosure_applied), and these
services are small, so each test checks the counts exactly in the facts the dashboard reads
(`counted`: what was counted, and in which month) and then the figures as the page shows them.
"Now" is 10 August 2025 in the UK (British Summer Time).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from clinicians.models import AppointmentKind, AppointmentStatus, CareEpisode, DischargeReason
from practitioner_health.accounts.models import User
from referrals.models import Eligibility
from reporting.models import (
    ALL,
    ActivityFact,
    CaseloadFact,
    ClosureFact,
    DischargeFact,
    NeedFact,
    OutcomeFact,
    ReferralFact,
    WaitFact,
    WaitKind,
)
from reporting.selectors import histogram_median
from tests.factories import ReferralFactory

from . import factories as f
from .factories import ANSWERED, NO_ANSWER, at
from .helpers import counted, dashboard_for, first_column, refresh, shown

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

    assert counted(ReferralFact, JUNE, "referrals", by="channel") == {"web": 2, "phone": 1, "app": 1}
    assert [counted(ReferralFact, JUNE, field) for field in ("eligible", "ineligible", "needs_review")] == [1, 1, 1]
    assert counted(NeedFact, JUNE, "referrals", by="need") == {"low-mood": 1, "anxiety": 1, "alcohol": 1, "stress": 1}
    assert [counted(ReferralFact, month, "referrals") for month in (MAY, JULY)] == [1, 1]

    june = dashboard_for(period="month-2025-06")

    # 4 referrals: hidden, and every breakdown of them withheld whole.
    assert set(map(tuple, shown(june.eligibility).values())) == {("*", "*")}
    assert first_column(june.by_channel) == {"Website": "*", "Phone (logged by a handler)": "*", "App": "*"}
    assert set(first_column(june.by_need).values()) == {"*"}
    trend = first_column(june.trend)
    months = list(trend)
    assert months == ["Jun 2025"]
    # 4 referrals on the whole line: hidden.
    assert set(trend.values()) == {"*"}
    assert dashboard_for(period="month-2025-07").eligibility.row("Referrals received").figures[0].value == "*"
    assert first_column(dashboard_for(period="month-2025-03").eligibility)["Referrals received"] == "0"


def test_a_quarter_adds_up_its_three_months() -> None:
    for day in (at(2025, 4, 3), at(2025, 5, 3), at(2025, 5, 4), at(2025, 6, 30, 22)):
        ReferralFactory(submitted_at=day)
    ReferralFactory(submitted_at=at(2025, 7, 1, 9))
    refresh(APRIL, MAY, JUNE, JULY)

    assert [counted(ReferralFact, month, "referrals") for month in (APRIL, MAY, JUNE, JULY)] == [1, 2, 1, 1]

    quarter = dashboard_for(period="quarter-2025-q1")

    assert quarter.filters.period.label == "Q1 2025/26 (April to June 2025)"
    assert quarter.eligibility.row("Referrals received").figures[0].value == "*"
    # Three times as many: 12 in the quarter shows as 10 (with July's, 13 would show as 15).
    for day in (at(2025, 4, 3), at(2025, 5, 3), at(2025, 5, 4), at(2025, 6, 30, 22)) * 2:
        ReferralFactory(submitted_at=day)
    refresh(APRIL, MAY, JUNE, JULY)
    assert dashboard_for(period="quarter-2025-q1").eligibility.row("Referrals received").figures[0].value == 10


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

    # Treatment: 9 waits; median is the 5th, 43 days; within 42 days: 4; within 126 days: 7.
    assert _waits(JUNE, WaitKind.FIRST_TREATMENT) == (9, 4, 7, 43)
    # First appointment: the 8 without the one assessed in May; median (42 + 43) / 2; 4 and 7.
    assert _waits(JUNE, WaitKind.FIRST_APPOINTMENT) == (8, 4, 7, 42.5)
    assert _waits(MAY, WaitKind.FIRST_TREATMENT) == (1, 1, 1, 15)
    assert _waits(MAY, WaitKind.FIRST_APPOINTMENT)[0] == 2
    assert _waits(JULY, WaitKind.FIRST_TREATMENT)[0] == 1

    waits = shown(dashboard_for(period="month-2025-06").waits)

    # 9 and 8 waits show as 10, and a median of more than 7 waits is shown; 4 and 7 within
    # the standards are hidden, so their rates are too.
    assert waits["Referral to first treatment"] == ["10", "43 days", "*", "*"]
    assert waits["Referral to first appointment"] == ["10", "42.5 days", "*", "*"]
    may = shown(dashboard_for(period="month-2025-05").waits)
    assert may["Referral to first treatment"] == ["*", "*", "*", "*"]
    assert may["Referral to first appointment"][0] == "*"


def _waits(month: date, kind: str) -> tuple[int, int, int, float | None]:
    """Waits of a kind ended in the month, within 6 and 18 weeks, and their median, as counted."""
    row = WaitFact.objects.get(month=month, kind=kind, region=ALL, profession=ALL, career_stage=ALL)
    median = histogram_median({int(days): n for days, n in row.days.items()})
    return row.waits, row.within_6_weeks, row.within_18_weeks, median


def test_wait_to_first_contact_counts_uk_calendar_days() -> None:
    # Referred 23:30 BST, called back 00:30 BST: an hour, but the next day in the UK.
    ReferralFactory(submitted_at=at(2025, 6, 1, 23, 30), first_contact_at=at(2025, 6, 2, 0, 30))
    ReferralFactory(submitted_at=at(2025, 6, 3), first_contact_at=at(2025, 6, 8))
    # A phone referral logged just after the call that made contact: no wait, not a negative one.
    ReferralFactory(channel="phone", submitted_at=at(2025, 6, 9, 15, 5), first_contact_at=at(2025, 6, 9, 15))
    # Referred in June, first contacted in July: a July wait.
    ReferralFactory(submitted_at=at(2025, 6, 30), first_contact_at=at(2025, 7, 14))
    refresh(JUNE, JULY)

    # Waits of 1, 5 and 0 days; the July one of 14.
    assert _waits(JUNE, WaitKind.FIRST_CONTACT) == (3, 3, 3, 1)
    assert _waits(JULY, WaitKind.FIRST_CONTACT) == (1, 1, 1, 14)
    assert WaitFact.objects.get(
        month=JUNE, kind=WaitKind.FIRST_CONTACT, region=ALL, profession=ALL, career_stage=ALL
    ).days == {
        "0": 1,
        "1": 1,
        "5": 1,
    }
    # As shown: 3 waits, and so their median, are hidden.
    assert shown(dashboard_for(period="month-2025-06").waits)["Referral to first contact"] == ["*", "*", "*", "*"]


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

    fields = ("finished", "paired", "caseness_at_start", "recovered", "reliable_improvement", "reliable_recovery")
    # 5 finished, 4 with paired scores, 3 at caseness at the start; of those 3, 2 recovered
    # (66.7%); of the 4, 1 reliably improved (25.0%) and 1 deteriorated (25.0%); 1 reliably
    # recovered of 3 (33.3%).
    assert [counted(OutcomeFact, JUNE, field) for field in fields] == [5, 4, 3, 2, 1, 1]
    assert counted(OutcomeFact, JUNE, "reliable_deterioration") == 1
    assert counted(DischargeFact, JUNE, "discharges", by="reason") == {
        DischargeReason.COMPLETED: 4,
        DischargeReason.DID_NOT_ATTEND: 1,
        DischargeReason.DECLINED: 1,
    }
    assert counted(OutcomeFact, JULY, "finished") == 1

    june = dashboard_for(period="month-2025-06")

    # As shown: every count is 1 to 7, so hidden, with every rate worked from them.
    assert set(first_column(june.treatment).values()) == {"*"}
    assert set(map(tuple, shown(june.outcomes).values())) == {("*", "*", "*")}
    # 6 discharges: too few to say why, so every reason is hidden, the empty ones too.
    assert set(first_column(june.discharges).values()) == {"*"}


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

    assert counted(ClosureFact, JUNE, "closures", by="reason") == {
        "ineligible": 1,
        "not_reached": 2,
        "declined": 1,
        "withdrawn": 1,
    }
    assert counted(ClosureFact, JULY, "closures", by="reason") == {"withdrawn": 1}
    # 5 closures in June: too few to say why, nationally or in a region (where there was 1).
    for params in ({}, {"region": "midlands"}):
        closures = first_column(dashboard_for(period="month-2025-06", **params).closures)
        assert set(closures.values()) == {"*"}
    # A region with none has nothing to hide.
    assert set(first_column(dashboard_for(period="month-2025-06", region="north-west").closures).values()) == {"0"}


def test_caseload_is_counted_at_the_end_of_the_month_and_now_for_this_month() -> None:
    def care(started: datetime, ended: datetime | None = None) -> None:
        f.episode(ReferralFactory(submitted_at=at(2025, 4, 1)), started=started, ended=ended)

    care(at(2025, 5, 2))  # still in care
    care(at(2025, 6, 5), at(2025, 7, 3))  # in care at the end of June, not now
    care(at(2025, 6, 1), at(2025, 6, 20))  # discharged within June
    care(at(2025, 7, 2))  # started after June
    refresh(JUNE, AUGUST)

    assert counted(CaseloadFact, JUNE, "active") == 2
    assert counted(CaseloadFact, AUGUST, "active") == 2
    assert (
        first_column(dashboard_for(period="month-2025-06").treatment)["Active caseload at the end of June 2025"] == "*"
    )
    # This month (and a period running into the future) shows the caseload at the last count.
    for params in ({"period": "month-2025-08"}, {"period": "year-2025"}):
        assert first_column(dashboard_for(**params).treatment)["Active caseload now"] == "*"
    assert (
        first_column(dashboard_for(period="month-2025-05").treatment)["Active caseload at the end of May 2025"] == "0"
    )


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

    # June: 6 attended and 2 missed; April to June, 7 and 2 (July's missed one is July's).
    assert [counted(ActivityFact, JUNE, field) for field in ("attended", "did_not_attend")] == [6, 2]
    assert sum(counted(ActivityFact, month, "attended") for month in (APRIL, MAY, JUNE)) == 7
    assert counted(ActivityFact, JULY, "did_not_attend") == 1

    # As shown: each is hidden, and so is the rate of 2 missed of 8 (or of 9 over the quarter).
    assert shown(dashboard_for(period="month-2025-06").appointments) == {
        "Appointments attended": ["*"],
        "Appointments not attended (did not attend)": ["*"],
        "Did-not-attend rate": ["*"],
    }
    assert shown(dashboard_for(period="quarter-2025-q1").appointments)["Did-not-attend rate"] == ["*"]


def test_callbacks_count_in_the_month_of_their_first_call_and_as_answered_if_any_call_was() -> None:
    referral = ReferralFactory(submitted_at=at(2025, 5, 1))
    f.callback([(at(2025, 6, 4, 10), NO_ANSWER), (at(2025, 6, 4, 11), ANSWERED)], referral=referral)
    f.callback([(at(2025, 6, 10, 10), NO_ANSWER), (at(2025, 6, 10, 12), NO_ANSWER)], referral=referral)
    # An out-of-hours caller who has not referred: no referral, still a callback.
    f.callback([(at(2025, 6, 20, 9), ANSWERED)])
    # First called in May, answered in June: a May callback.
    f.callback([(at(2025, 5, 30, 16), NO_ANSWER), (at(2025, 6, 2, 9), ANSWERED)], referral=referral)
    refresh(MAY, JUNE)

    # June: 3 made, 2 of them answered; May: 1, answered (in June).
    assert [counted(ActivityFact, JUNE, field) for field in ("callbacks_made", "callbacks_answered")] == [3, 2]
    assert [counted(ActivityFact, MAY, field) for field in ("callbacks_made", "callbacks_answered")] == [1, 1]

    assert shown(dashboard_for(period="month-2025-06").callbacks) == {
        "Callbacks made": ["*"],
        "Callbacks answered": ["*"],
        "Answered rate": ["*"],
    }
