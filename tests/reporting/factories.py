"""Small builders for reporting tests: what happened to referrals, at chosen times.

Referrals come from tests.factories.ReferralFactory, given the fields the counts depend on
(when, which region, profession and career stage). Reporting only counts, so these set
exactly what the counts need plus the required personal fields, which tests can set to
known values to prove they never reach a commissioner.
"""

from __future__ import annotations

import datetime
import itertools
from datetime import timedelta

import factory
from django.utils import timezone

from clinicians.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CareEpisode,
    Clinician,
    DischargeReason,
    OutcomeMeasure,
    Profession,
    Slot,
    SlotStatus,
)
from practitioner_health.accounts.models import Role, User
from referrals.models import Referral
from tests.factories import ReferralFactory as SharedReferralFactory
from tests.factories import UserFactory
from triage.models import AttemptOutcome, Callback, CallbackAttempt, CallbackReason

_slot_minutes = itertools.count()


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A UK wall-clock time (GMT or BST as it was)."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


class ReferralFactory(SharedReferralFactory):
    """The shared referral, sent on 2 June 2025 unless told otherwise: the month most of the
    worked examples count."""

    submitted_at = factory.LazyFunction(lambda: at(2025, 6, 2))


def clinician(**user_fields: object) -> Clinician:
    user = UserFactory(role=Role.CLINICIAN, **user_fields)
    return Clinician.objects.create(user=user, profession=Profession.CBT_THERAPIST)


def episode(
    referral: Referral,
    *,
    started: datetime.datetime,
    ended: datetime.datetime | None = None,
    reason: str = DischargeReason.COMPLETED,
    with_clinician: Clinician | None = None,
    **fields: object,
) -> CareEpisode:
    return CareEpisode.objects.create(
        referral=referral,
        clinician=with_clinician or clinician(),
        started_at=started,
        ended_at=ended,
        discharge_reason=reason if ended else "",
        **fields,
    )


def appointment(
    care: CareEpisode,
    when: datetime.datetime,
    *,
    status: str = AppointmentStatus.ATTENDED,
    kind: str = AppointmentKind.TREATMENT,
) -> Appointment:
    # Nudge each slot by a minute so a clinician never has two slots starting together.
    start = when + timedelta(minutes=next(_slot_minutes) % 50)
    slot = Slot.objects.create(
        clinician=care.clinician, start=start, end=start + timedelta(minutes=50), status=SlotStatus.BOOKED
    )
    extra = {"cancelled_at": start} if status.startswith("cancelled") else {}
    return Appointment.objects.create(slot=slot, episode=care, kind=kind, status=status, **extra)


def scores(
    care: CareEpisode, when: datetime.datetime, *, phq9: int | None = None, gad7: int | None = None, by: User
) -> None:
    """PHQ-9 and/or GAD-7 totals recorded at `when` (the answers themselves do not matter here)."""
    for measure, total in (("PHQ-9", phq9), ("GAD-7", gad7)):
        if total is not None:
            OutcomeMeasure.objects.create(
                episode=care, measure=measure, answers_json="[]", total=total, band="", recorded_at=when, recorded_by=by
            )


def course(
    referral: Referral,
    *,
    started: datetime.datetime,
    ended: datetime.datetime | None,
    treatments: int,
    first: tuple[int, int] | None = None,
    last: tuple[int, int] | None = None,
    by: User,
    reason: str = DischargeReason.COMPLETED,
) -> CareEpisode:
    """An episode with `treatments` attended weekly treatment appointments, and first/last
    (PHQ-9, GAD-7) scores at the first and last of them."""
    care = episode(referral, started=started, ended=ended, reason=reason)
    for week in range(treatments):
        appointment(care, started + timedelta(weeks=week, days=1))
    if first is not None:
        scores(care, started + timedelta(days=1), phq9=first[0], gad7=first[1], by=by)
    if last is not None:
        scores(care, started + timedelta(weeks=max(treatments - 1, 1), days=1), phq9=last[0], gad7=last[1], by=by)
    return care


def callback(
    attempts: list[tuple[datetime.datetime, str]], *, referral: Referral | None = None, phone: str = "+447700900123"
) -> Callback:
    made = Callback.objects.create(
        referral=referral, phone=phone, reason=CallbackReason.PRACTITIONER, due_at=attempts[0][0], status="completed"
    )
    for number, (when, outcome) in enumerate(attempts, start=1):
        CallbackAttempt.objects.create(callback=made, number=number, started_at=when, outcome=outcome, finished_at=when)
    return made


ANSWERED, NO_ANSWER = AttemptOutcome.ANSWERED, AttemptOutcome.NO_ANSWER
