"""Reads shared by views, tasks and other apps.

The triage app ranks clinicians with `matching_clinicians`, `earliest_open_slot_batches`,
`caseloads` and `clinicians_without_open_slots`. Every function here runs a fixed number of
queries however many rows there are, except `earliest_open_slot_batches`, which runs one for
each batch the caller reads.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from referrals.models import Referral
from selfhelp.models import SavedResult
from selfhelp.selectors import saved_results_for

from .models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CareEpisode,
    Clinician,
    FollowUpTask,
    Leave,
    OutcomeMeasure,
    Region,
    Service,
    Slot,
    SlotStatus,
)


def saved_results_of_patient(referral: Referral) -> list[SavedResult]:
    """The questionnaire results the referral's account saved, if that account is proved to be
    the person who sent the referral (it followed the link sent to the typed email, or sent it
    signed in). A typed email alone proves nothing: whoever types a stranger's address must never
    show their clinician the stranger's results.

    Health data: whoever shows these must record the read with audit_record.
    """
    if referral.user_id is None or referral.linked_at is None:
        return []
    return list(saved_results_for(referral.user_id))


# --- For matching (triage) -----------------------------------------------------------------


def open_slots(
    *,
    clinician_id: int | None = None,
    clinician_ids: list[int] | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    video: bool | None = None,
    region_code: str | None = None,
    site_id: int | None = None,
) -> QuerySet[Slot]:
    """Open slots starting after `after` (default now), earliest first.

    `video=True` gives only video slots, `video=False` only face-to-face; `region_code`
    (an NHSRegion value) keeps face-to-face slots at sites in that region.
    """
    slots = Slot.objects.filter(status=SlotStatus.OPEN, start__gt=after or timezone.now(), clinician__active=True)
    if clinician_id is not None:
        slots = slots.filter(clinician_id=clinician_id)
    if clinician_ids is not None:
        slots = slots.filter(clinician_id__in=clinician_ids)
    if before is not None:
        slots = slots.filter(start__lt=before)
    if video is True:
        slots = slots.filter(site__isnull=True)
    elif video is False:
        slots = slots.filter(site__isnull=False)
    if region_code is not None:
        slots = slots.filter(site__region__code=region_code)
    if site_id is not None:
        slots = slots.filter(site_id=site_id)
    return slots.select_related("site", "site__region").order_by("start", "pk")


def next_open_slots(*, clinician_id: int, limit: int = 3, exclude_slot_id: int | None = None) -> list[Slot]:
    """The next few open times with a clinician: what to offer someone whose choice was just taken."""
    slots = open_slots(clinician_id=clinician_id)
    if exclude_slot_id is not None:
        slots = slots.exclude(pk=exclude_slot_id)
    return list(slots[:limit])


def _linked(through: type[Model], field: str, pk: int) -> Exists:
    """EXISTS a row in a clinician's link table (services or regions) to the row with id `pk`."""
    return Exists(through.objects.filter(clinician_id=OuterRef("pk"), **{field: pk}))  # type: ignore[attr-defined]


def matching_clinicians(
    *,
    services: Iterable[str] = (),
    region: str | None = None,
    away_from: str | None = None,
    video: bool | None = None,
) -> QuerySet[Clinician]:
    """Active clinicians who offer every one of `services` (ServiceCodes), work in `region`, do
    not work in `away_from` (NHSRegion values) and, if `video` is True, see people by video.

    Each rule is an EXISTS, never a join, so every clinician appears once without DISTINCT.
    The codes are looked up here (a query for services and one for regions, when given), so
    the rules compare link-table ids: the planner then estimates from the statistics how many
    clinicians pass, where through a join on the code it guesses, and a guess too high or too
    low makes ranking read far more than it needs. Unannotated and unordered: the set the
    other matching reads narrow down.
    """
    clinicians = Clinician.objects.active()
    codes = set(services)
    if codes:
        service_ids = dict(Service.objects.filter(code__in=codes).values_list("code", "pk"))
        if len(service_ids) < len(codes):
            return clinicians.none()  # nobody offers a service that does not exist
        for pk in service_ids.values():
            clinicians = clinicians.filter(_linked(Clinician.services.through, "service_id", pk))
    wanted = {code for code in (region, away_from) if code is not None}
    region_ids = dict(Region.objects.filter(code__in=wanted).values_list("code", "pk")) if wanted else {}
    if region is not None:
        if region not in region_ids:
            return clinicians.none()
        clinicians = clinicians.filter(_linked(Clinician.regions.through, "region_id", region_ids[region]))
    if away_from is not None and away_from in region_ids:
        clinicians = clinicians.exclude(_linked(Clinician.regions.through, "region_id", region_ids[away_from]))
    if video is True:
        clinicians = clinicians.filter(video=True)
    return clinicians


def _active_caseload() -> Coalesce:
    """The clinician's number of episodes not yet ended, as an expression on a Clinician query."""
    caseload = (
        CareEpisode.objects.active()
        .filter(clinician_id=OuterRef("pk"))
        .order_by()
        .values("clinician_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(caseload), Value(0), output_field=IntegerField())


def earliest_open_slot_batches(
    clinicians: QuerySet[Clinician], *, after: datetime, batch: int = 50
) -> Iterator[list[tuple[int, datetime]]]:
    """Each of `clinicians` that has an open slot starting after `after`, once, as (clinician
    id, start of their earliest open slot): earliest first, then by id, in lists as read.

    Open slots are read in start order (the `slot_open_start_idx` index), `batch` at a time and
    twice as many each time after, only for as long as the caller keeps asking: the first few
    clinicians cost the first few slots however many clinicians there are. Every clinician
    whose earliest open slot has a given start comes in the same list, so a caller can order
    ties without looking ahead.
    """
    slots = Slot.objects.filter(status=SlotStatus.OPEN, start__gt=after, clinician__in=clinicians).order_by(
        "start", "clinician_id"
    )
    seen: set[int] = set()
    # First seen at the start of the last slot read, which slots not yet read may share.
    pending: list[tuple[int, datetime]] = []
    cursor: tuple[datetime, int] | None = None
    while True:
        page = slots
        if cursor is not None:
            # (start, clinician) is unique (slot_clinician_start_unique): carry on after the last one read.
            page = page.filter(start__gte=cursor[0]).exclude(start=cursor[0], clinician_id__lte=cursor[1])
        rows = list(page.values_list("clinician_id", "start")[:batch])
        for clinician_id, start in rows:
            if clinician_id not in seen:
                seen.add(clinician_id)
                pending.append((clinician_id, start))
        if len(rows) < batch:
            if pending:
                yield pending
            return
        cursor = rows[-1][1], rows[-1][0]
        last_start = cursor[0]
        ready = [place for place in pending if place[1] < last_start]
        pending = pending[len(ready) :]
        if ready:
            yield ready
        batch *= 2


def caseloads(*, clinician_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """{clinician id: (episodes not yet ended, maximum caseload)} for these clinicians, in one query."""
    rows = (
        Clinician.objects.filter(pk__in=list(clinician_ids))
        .annotate(open_episodes=Count("episodes", filter=Q(episodes__ended_at__isnull=True)))
        .values_list("pk", "open_episodes", "max_caseload")
    )
    return {pk: (caseload, maximum) for pk, caseload, maximum in rows}


def clinicians_without_open_slots(clinicians: QuerySet[Clinician], *, after: datetime) -> QuerySet[Clinician]:
    """Those of `clinicians` with no open slot starting after `after`, annotated with
    `active_caseload` and ordered by it then id (the smaller caseload first)."""
    open_slot = Slot.objects.filter(clinician_id=OuterRef("pk"), status=SlotStatus.OPEN, start__gt=after)
    return (
        clinicians.filter(~Exists(open_slot))
        .annotate(active_caseload=_active_caseload())
        .order_by("active_caseload", "pk")
    )


def open_episode_for_referral(referral_id: int) -> CareEpisode | None:
    return CareEpisode.objects.active().filter(referral_id=referral_id).select_related("clinician__user").first()


# --- The practitioner's side ---------------------------------------------------------------


def practitioner_episode(user_id: int) -> CareEpisode | None:
    """The practitioner's current care episode, if they are with a clinician."""
    return (
        CareEpisode.objects.active()
        .for_practitioner(user_id)
        .select_related("referral", "clinician__user")
        .order_by("-started_at")
        .first()
    )


def practitioner_appointments(user_id: int) -> tuple[list[Appointment], list[Appointment]]:
    """(upcoming booked appointments soonest first, everything else most recent first)."""
    appointments = list(
        Appointment.objects.filter(episode__referral__user_id=user_id)
        .with_slot()
        .select_related("episode__clinician__user")
        .prefetch_related(Prefetch("outcomes", queryset=OutcomeMeasure.objects.only("pk", "appointment_id", "measure")))
        .order_by("slot__start")
    )
    upcoming = [a for a in appointments if a.is_upcoming]
    past = [a for a in reversed(appointments) if not a.is_upcoming]
    return upcoming, past


def questionnaires_due(appointment: Appointment) -> bool:
    """A booked treatment appointment still to come whose PHQ-9 and GAD-7 are not both in yet."""
    if appointment.kind != AppointmentKind.TREATMENT or not appointment.is_upcoming:
        return False
    done = {outcome.measure for outcome in appointment.outcomes.all()}
    return not {"PHQ-9", "GAD-7"} <= done


# --- The clinician's side ------------------------------------------------------------------


# What a caseload row shows of each episode and its referral. Each encrypted column read is
# a decryption (and a needless copy of personal data in memory): the name is the only one.
CASELOAD_COLUMNS = (
    "pk",
    "started_at",
    "referral__reference",
    "referral__name",
    "referral__urgent",
    "referral__submitted_at",
    "handover__high_risk",
    "missed_in_a_row",
)


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload page, as plain values (no model instances to build)."""

    episode_id: int
    started_at: datetime
    reference: str
    name: str
    urgent: bool
    submitted_at: datetime
    next_appointment_id: int | None
    next_appointment_start: datetime | None
    phq_latest: int | None
    phq_change: int | None
    gad_latest: int | None
    gad_change: int | None
    # PHQ-9 question 9 answered above "Not at all" at the latest measurement.
    risk: bool
    # The helpline's handover found high or immediate risk.
    high_risk: bool = False
    # Missed appointments since the last one attended.
    missed_in_a_row: int = 0


@dataclass
class _Scores:
    """First and latest of one measure for one episode, read in recording order."""

    first: int | None = None
    latest: int | None = None
    latest_urgent: bool = False
    count: int = 0

    def add(self, total: int, urgent: bool) -> None:
        if self.count == 0:
            self.first = total
        self.latest = total
        self.latest_urgent = urgent
        self.count += 1

    @property
    def change(self) -> int | None:
        """Latest minus first, once there are two measurements to compare."""
        if self.count < 2 or self.first is None or self.latest is None:
            return None
        return self.latest - self.first


def caseload_rows(*, clinician_id: int) -> list[CaseloadRow]:
    """Active episodes, urgent first, then by next appointment (none last), then longest in care.

    Three queries however long the caseload: the episodes, their next booked appointments,
    and their PHQ-9 and GAD-7 totals (first, latest and count are worked out here, which is
    cheaper than a correlated subquery per column per row). Rows are read as values: building
    two model instances per row was a third of the page's time at 200 episodes.
    """
    now = timezone.now()
    in_care = CareEpisode.objects.active().filter(clinician_id=clinician_id).order_by()
    episodes = list(in_care.values_list(*CASELOAD_COLUMNS))
    # The same episodes again as a subquery: measured quicker than sending 200 ids, twice.
    active = {"episode__in": in_care.values("pk")}
    next_booked: dict[int, tuple[int, datetime]] = {}
    for episode_id, appointment_id, start in (
        Appointment.objects.filter(**active, status=AppointmentStatus.BOOKED, slot__end__gt=now)
        .order_by("slot__start", "pk")
        .values_list("episode_id", "pk", "slot__start")
    ):
        next_booked.setdefault(episode_id, (appointment_id, start))
    # Every score in recording order, first and latest kept here: measured cheaper than
    # window functions picking one row per episode and measure in the database.
    scores: dict[tuple[int, str], _Scores] = {}
    for episode_id, measure, total, urgent in (
        OutcomeMeasure.objects.filter(**active, measure__in=("PHQ-9", "GAD-7"))
        .order_by("recorded_at", "id")
        .values_list("episode_id", "measure", "total", "urgent")
    ):
        scores.setdefault((episode_id, measure), _Scores()).add(total, urgent)

    rows = []
    no_scores = _Scores()
    for episode_id, started_at, reference, name, urgent, submitted_at, high_risk, missed_in_a_row in episodes:
        next_id, next_start = next_booked.get(episode_id) or (None, None)
        phq = scores.get((episode_id, "PHQ-9"), no_scores)
        gad = scores.get((episode_id, "GAD-7"), no_scores)
        rows.append(
            CaseloadRow(
                episode_id=episode_id,
                started_at=started_at,
                reference=reference,
                name=name,
                urgent=urgent,
                submitted_at=submitted_at,
                next_appointment_id=next_id,
                next_appointment_start=next_start,
                phq_latest=phq.latest,
                phq_change=phq.change,
                gad_latest=gad.latest,
                gad_change=gad.change,
                risk=phq.latest_urgent,
                high_risk=bool(high_risk),
                missed_in_a_row=missed_in_a_row,
            )
        )
    rows.sort(
        key=lambda row: (
            not row.urgent,
            row.next_appointment_start is None,
            row.next_appointment_start or now,
            row.started_at,
        )
    )
    return rows


@dataclass(frozen=True)
class FollowUpLine:
    task_id: int
    episode_id: int
    name: str
    missed_start: datetime | None


def open_follow_ups(*, clinician_id: int) -> list[FollowUpLine]:
    """The clinician's open follow-up tasks for people still in their care, oldest first. One query."""
    rows = (
        FollowUpTask.objects.open()
        .filter(episode__clinician_id=clinician_id, episode__ended_at__isnull=True)
        .order_by("created_at", "pk")
        .values_list("pk", "episode_id", "episode__referral__name", "appointment__slot__start")
    )
    return [FollowUpLine(*row) for row in rows]


@dataclass
class DiaryDay:
    day: date
    slots: list[Slot] = field(default_factory=list)
    # The clinician is on leave for the whole day (leave is whole days, first and last included).
    on_leave: bool = False


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def diary_week(*, clinician_id: int, start: date) -> list[DiaryDay]:
    """Seven days from `start` with each day's slots and whether it is a day of leave; each
    slot's live appointment (and its referral) is prefetched as `live_appointments`. Four queries."""
    first = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    last = timezone.make_aware(datetime.combine(start + timedelta(days=7), datetime.min.time()))
    live = Appointment.objects.live().select_related("episode__referral")
    slots = (
        Slot.objects.filter(clinician_id=clinician_id, start__gte=first, start__lt=last)
        .select_related("site")
        .prefetch_related(Prefetch("appointments", queryset=live, to_attr="live_appointments"))
        .order_by("start")
    )
    days = {start + timedelta(days=n): DiaryDay(day=start + timedelta(days=n)) for n in range(7)}
    for slot in slots:
        days[timezone.localdate(slot.start)].slots.append(slot)
    for leave in Leave.objects.filter(clinician_id=clinician_id, starts_at__lt=last, ends_at__gt=first):
        for day in days.values():
            day.on_leave = day.on_leave or leave.covers(day.day)
    return list(days.values())


@dataclass
class OutcomeRow:
    when: datetime
    phq: int | None = None
    phq_band: str = ""
    gad: int | None = None
    gad_band: str = ""


def outcome_rows(*, episode_id: int) -> list[OutcomeRow]:
    """One row per occasion (an appointment, or a date for scores not tied to one), oldest first."""
    rows: dict[object, OutcomeRow] = {}
    outcomes = (
        OutcomeMeasure.objects.filter(episode_id=episode_id)
        .select_related("appointment__slot")
        .order_by("recorded_at", "id")
    )
    for outcome in outcomes:
        if outcome.appointment is not None:
            key: object = ("appointment", outcome.appointment_id)
            when = outcome.appointment.slot.start
        else:
            key = ("date", timezone.localdate(outcome.recorded_at))
            when = outcome.recorded_at
        row = rows.setdefault(key, OutcomeRow(when=when))
        if outcome.measure == "PHQ-9":
            row.phq, row.phq_band = outcome.total, outcome.band
        else:
            row.gad, row.gad_band = outcome.total, outcome.band
    return sorted(rows.values(), key=lambda row: row.when)


def episode_appointments(*, episode_id: int) -> list[Appointment]:
    return list(Appointment.objects.filter(episode_id=episode_id).with_slot().order_by("slot__start"))


def outcome_for(appointment_id: int) -> dict[str, OutcomeMeasure]:
    return {o.measure: o for o in OutcomeMeasure.objects.filter(appointment_id=appointment_id)}


def _next_booked_start() -> Subquery:
    """The start of an episode's next booked appointment, as an expression on an episode query."""
    next_booked = Appointment.objects.filter(
        episode_id=OuterRef("pk"), status=AppointmentStatus.BOOKED, slot__end__gt=timezone.now()
    ).order_by("slot__start")
    return Subquery(next_booked.values("slot__start")[:1])


def referral_care(*, referral_id: int) -> list[CareEpisode]:
    """Every care episode of one referral, newest first, with its clinician and next booked time
    (the helpline's view of who a person is with: no notes, no scores).

    A discharged episode carries its discharge reason and where they were referred on
    (`referred_on_text`); the clinician's summary and risk-plan notes are not even loaded."""
    return list(
        CareEpisode.objects.filter(referral_id=referral_id)
        .defer("discharge_note", "final_scores_missing_reason", "risk_plan_note")
        .select_related("clinician__user")
        .annotate(next_appointment_start=_next_booked_start())
        .order_by("-started_at", "-pk")
    )


def handler_episodes() -> QuerySet[CareEpisode]:
    """Every active episode with its clinician and next booked time, for the helpline's booking list."""
    return (
        CareEpisode.objects.active()
        .select_related("referral", "clinician__user")
        .annotate(next_appointment_start=_next_booked_start())
        .order_by("-referral__urgent", "started_at")
    )
