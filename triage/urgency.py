"""How long an urgent or high-risk person may wait, and what is still to be done for them.

Someone who said they have thoughts of self-harm, or whom triage found at high or immediate
risk, is urgent until a clinician has seen them (their first attended appointment). Until
then they stay in the dashboard's red queue with a target:

- before triage, contact the same working day (the helpline's opening hours and bank
  holidays decide what "the same working day" is);
- after triage, seen by a clinician within the urgency chosen at triage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from clinicians.models import Appointment, AppointmentStatus
from practitioner_health.hours import Session, end_of_working_day, parse_hours
from referrals.models import Referral, Status

from .models import BankHoliday, TriageAssessment, Urgency

# Working days after the triage by which the person should have been seen by a clinician.
# "Urgent" is the choice's own wording (within 1 working day); "soon" is two weeks and
# "routine" six weeks, the NHS Talking Therapies waiting standard for a first treatment.
SEEN_WITHIN_WORKING_DAYS = {Urgency.URGENT: 1, Urgency.SOON: 10, Urgency.ROUTINE: 30}

# What is left to do for an open referral, by its status, in the order it happens.
STILL_TO_DO = {
    Status.NEW: ("call back", "triage", "assign a clinician", "first appointment"),
    Status.CONTACTED: ("triage", "assign a clinician", "first appointment"),
    Status.TRIAGED: ("assign a clinician", "first appointment"),
    Status.ASSIGNED: ("first appointment",),
}


@dataclass(frozen=True)
class UrgentTarget:
    """Where an urgent referral stands against its target."""

    # What the target is for: "contact" (before triage) or "seen by a clinician" (after).
    goal: str
    due_at: datetime
    # Missed: passed without the goal being met, or met late.
    missed: bool
    still_to_do: tuple[str, ...]

    @property
    def next_step(self) -> str:
        return self.still_to_do[0] if self.still_to_do else ""


def opening_calendar() -> tuple[tuple[Session, ...], set[date]]:
    """The helpline's weekly hours and bank holidays: one query."""
    holidays = set(BankHoliday.objects.values_list("date", flat=True))
    return parse_hours(settings.HELPLINE_OPENING_HOURS), holidays


def with_latest_triage(queryset):  # type: ignore[no-untyped-def]
    """Annotate each referral with its latest triage's time and urgency (in the same query)."""
    latest = TriageAssessment.objects.filter(referral=OuterRef("pk")).order_by("-assessed_at", "-id")
    return queryset.annotate(
        triaged_at=Subquery(latest.values("assessed_at")[:1]),
        triage_urgency=Subquery(latest.values("urgency")[:1]),
    )


def urgent_target(
    *,
    referral: Referral,
    triaged_at: datetime | None,
    triage_urgency: str | None,
    now: datetime,
    calendar: tuple[tuple[Session, ...], set[date]],
) -> UrgentTarget:
    """The target for an urgent referral not yet seen by a clinician, and whether it is missed."""
    sessions, holidays = calendar
    still_to_do = STILL_TO_DO.get(Status(referral.status), ())
    if triaged_at is None or not triage_urgency:
        due = end_of_working_day(referral.submitted_at, sessions, holidays)
        contacted = referral.first_contact_at
        return UrgentTarget("contact", due, (contacted or now) > due, still_to_do)
    days = SEEN_WITHIN_WORKING_DAYS.get(Urgency(triage_urgency), 1)
    due = end_of_working_day(triaged_at, sessions, holidays, days_after=days)
    return UrgentTarget("seen by a clinician", due, now > due, still_to_do)


def referral_urgent_target(
    referral: Referral, latest: TriageAssessment | None, now: datetime | None = None
) -> UrgentTarget | None:
    """Where an urgent referral stands now, for its helpline record; None when it is not urgent,
    is finished, or a clinician has already seen them (two queries at most)."""
    if not referral.urgent or not referral.is_open:
        return None
    seen = Appointment.objects.filter(episode__referral=referral, status=AppointmentStatus.ATTENDED).exists()
    if seen:
        return None
    return urgent_target(
        referral=referral,
        triaged_at=latest.assessed_at if latest else None,
        triage_urgency=latest.urgency if latest else None,
        now=now or timezone.now(),
        calendar=opening_calendar(),
    )
