"""The monthly facts, counted from the other apps' records: one month per call.

Every count is a GROUP BY in the database over that month's rows only (referrals submitted
in it, appointments held in it, episodes discharged in it...), so the cost follows the size
of one month, not of the whole service. The one Python loop over rows is the outcome of each
care episode discharged in the month, which needs `reporting.metrics.classify`.

Counts are made at the base cells (region, profession, career stage) and rolled up, as they
are added, into every combination with ALL (see reporting.models). Reads the other apps'
models; never writes to them.
"""

from __future__ import annotations

import time as clock
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from clinicians.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CareEpisode,
    FeedbackResponse,
    OutcomeMeasure,
)
from referrals.models import Eligibility, Referral, ReferralNeed, Status
from triage.models import AttemptOutcome, Callback, CallbackAttempt

from . import metrics
from .models import (
    ALL,
    ActivityFact,
    CaseloadFact,
    ClosureFact,
    DischargeFact,
    FeedbackFact,
    NeedFact,
    OutcomeFact,
    ReferralFact,
    WaitFact,
    WaitKind,
)

# A referral's cell in the cube: (region, profession, career stage); "" where not known.
Cell = tuple[str, str, str]
PHQ9, GAD7 = "PHQ-9", "GAD-7"
T = TypeVar("T")


def _cell(region: str | None, profession: str | None, career_stage: str | None) -> Cell:
    # A callback with no referral joins to NULLs: not known, like an empty region.
    return (region or "", profession or "", career_stage or "")


def _rollups(cell: Cell) -> Iterator[Cell]:
    """The cell itself and each roll-up containing it: 8 cells in all."""
    region, profession, career_stage = cell
    for r in (region, ALL):
        for p in (profession, ALL):
            for s in (career_stage, ALL):
                yield (r, p, s)


class _Cube:
    """Counts added at the base cells and rolled up to every ALL combination as they go in."""

    def __init__(self) -> None:
        self.cells: dict[tuple[Cell, tuple[str, ...]], Counter[str]] = defaultdict(Counter)

    def add(self, cell: Cell, extra: tuple[str, ...] = (), /, **counts: int) -> None:
        for target in _rollups(cell):
            self.cells[(target, extra)].update(counts)

    def items(self) -> Iterator[tuple[Cell, tuple[str, ...], Counter[str]]]:
        for (cell, extra), counts in self.cells.items():
            yield cell, extra, counts


def _days_between(later: str, earlier: str) -> ExpressionWrapper:
    """Whole days from one local date to another, worked out in the database."""
    zone = timezone.get_default_timezone()
    return ExpressionWrapper(
        TruncDate(later, tzinfo=zone) - TruncDate(earlier, tzinfo=zone), output_field=DurationField()
    )


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on OuterRef), 0 when empty."""
    counted = queryset.order_by().values(group=Value(1)).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- Referrals and needs --------------------------------------------------------------------


def _referral_facts(start: datetime, end: datetime) -> _Cube:
    cube = _Cube()
    rows = (
        Referral.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .order_by()
        .values_list("work_region", "profession", "career_stage", "channel")
        .annotate(
            referrals=Count("pk"),
            eligible=Count("pk", filter=Q(eligibility=Eligibility.ELIGIBLE)),
            ineligible=Count("pk", filter=Q(eligibility=Eligibility.INELIGIBLE)),
            needs_review=Count("pk", filter=Q(eligibility=Eligibility.NEEDS_REVIEW)),
        )
    )
    for region, profession, career_stage, channel, referrals, eligible, ineligible, needs_review in rows:
        cube.add(
            _cell(region, profession, career_stage),
            (channel,),
            referrals=referrals,
            eligible=eligible,
            ineligible=ineligible,
            needs_review=needs_review,
        )
    return cube


def _need_facts(start: datetime, end: datetime) -> _Cube:
    cube = _Cube()
    rows = (
        ReferralNeed.objects.filter(referral__submitted_at__gte=start, referral__submitted_at__lt=end)
        .order_by()
        .values_list("referral__work_region", "referral__profession", "referral__career_stage", "need")
        .annotate(referrals=Count("pk"))
    )
    for region, profession, career_stage, need, referrals in rows:
        cube.add(_cell(region, profession, career_stage), (need,), referrals=referrals)
    return cube


# --- Waits ----------------------------------------------------------------------------------

_REFERRAL_CELL = ("work_region", "profession", "career_stage")


def _first_contact_waits(start: datetime, end: datetime) -> QuerySet[Any]:
    return Referral.objects.filter(first_contact_at__gte=start, first_contact_at__lt=end).annotate(
        wait=_days_between("first_contact_at", "submitted_at")
    )


def _first_appointment_waits(start: datetime, end: datetime, *, treatment_only: bool) -> QuerySet[Any]:
    """Referrals whose first attended appointment (of any kind, or treatment only) was in the month."""
    attended = Appointment.objects.filter(status=AppointmentStatus.ATTENDED)
    if treatment_only:
        attended = attended.filter(kind=AppointmentKind.TREATMENT)
    in_month = attended.filter(slot__start__gte=start, slot__start__lt=end)
    # Referrals with such an appointment in the month and none before it, over all their
    # care episodes; their first is then the earliest in the month.
    earlier = attended.filter(episode__referral_id=OuterRef("pk"), slot__start__lt=start)
    first = in_month.filter(episode__referral_id=OuterRef("pk")).order_by("slot__start").values("slot__start")[:1]
    return (
        Referral.objects.filter(pk__in=in_month.values("episode__referral_id"))
        .filter(~Exists(earlier))
        .annotate(first_at=Subquery(first))
        .annotate(wait=_days_between("first_at", "submitted_at"))
    )


def _wait_facts(start: datetime, end: datetime, stopwatch: Stopwatch) -> _Cube:
    cube = _Cube()
    sources = {
        WaitKind.FIRST_CONTACT: _first_contact_waits(start, end),
        WaitKind.FIRST_APPOINTMENT: _first_appointment_waits(start, end, treatment_only=False),
        WaitKind.FIRST_TREATMENT: _first_appointment_waits(start, end, treatment_only=True),
    }
    for kind, waits in sources.items():
        query = waits.order_by().values_list(*_REFERRAL_CELL, "wait").annotate(n=Count("pk"))
        rows: list[tuple[Any, ...]] = stopwatch.time(f"{kind} waits", partial(list, query))
        for region, profession, career_stage, wait, n in rows:
            # A phone referral logged after the call can show its contact a moment "before" it.
            days = max(0, wait.days)
            cube.add(
                _cell(region, profession, career_stage),
                (kind,),
                waits=n,
                within_6_weeks=n if metrics.within_weeks(days, 6) else 0,
                within_18_weeks=n if metrics.within_weeks(days, 18) else 0,
                # The histogram rides along in the same counter, so it rolls up with the rest.
                **{f"days:{days}": n},
            )
    return cube


def _closure_facts(start: datetime, end: datetime) -> _Cube:
    """Referrals closed before care in the month, by reason (the month they closed in)."""
    cube = _Cube()
    rows = (
        Referral.objects.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .exclude(closed_reason="")
        .order_by()
        .values_list("work_region", "profession", "career_stage", "closed_reason")
        .annotate(closures=Count("pk"))
    )
    for region, profession, career_stage, reason, closures in rows:
        cube.add(_cell(region, profession, career_stage), (reason,), closures=closures)
    return cube


# --- Outcomes and discharges ----------------------------------------------------------------


def _score(measure: str, *, first: bool) -> Subquery:
    order = ("recorded_at", "id") if first else ("-recorded_at", "-id")
    scores = OutcomeMeasure.objects.filter(episode=OuterRef("pk"), measure=measure).order_by(*order)
    return Subquery(scores.values("total")[:1])


def _discharged_episodes(start: datetime, end: datetime) -> Iterable[tuple[Any, ...]]:
    treatments = Appointment.objects.filter(
        episode=OuterRef("pk"), status=AppointmentStatus.ATTENDED, kind=AppointmentKind.TREATMENT
    )
    return (
        CareEpisode.objects.filter(ended_at__gte=start, ended_at__lt=end)
        .order_by()
        .annotate(
            treatments=_count(treatments),
            phq9_scores=_count(OutcomeMeasure.objects.filter(episode=OuterRef("pk"), measure=PHQ9)),
            gad7_scores=_count(OutcomeMeasure.objects.filter(episode=OuterRef("pk"), measure=GAD7)),
            first_phq9=_score(PHQ9, first=True),
            first_gad7=_score(GAD7, first=True),
            last_phq9=_score(PHQ9, first=False),
            last_gad7=_score(GAD7, first=False),
        )
        .values_list(
            "referral__work_region",
            "referral__profession",
            "referral__career_stage",
            "discharge_reason",
            "treatments",
            "phq9_scores",
            "gad7_scores",
            "first_phq9",
            "first_gad7",
            "last_phq9",
            "last_gad7",
        )
        .iterator(chunk_size=2000)
    )


def _outcome_facts(start: datetime, end: datetime) -> tuple[_Cube, _Cube]:
    """Outcomes of the episodes discharged in the month, and those discharges by reason."""
    outcomes, discharges = _Cube(), _Cube()
    for row in _discharged_episodes(start, end):
        region, profession, career_stage, reason, treatments, phq9_n, gad7_n, *scores = row
        cell = _cell(region, profession, career_stage)
        discharges.add(cell, (reason,), discharges=1)
        if treatments < 2:
            continue
        counts = {"finished": 1}
        if phq9_n >= 2 and gad7_n >= 2:
            first_phq9, first_gad7, last_phq9, last_gad7 = scores
            result = metrics.classify(first_phq9, first_gad7, last_phq9, last_gad7)
            counts.update(
                paired=1,
                caseness_at_start=int(result.caseness_at_start),
                recovered=int(result.recovered),
                reliable_improvement=int(result.reliable_improvement),
                reliable_deterioration=int(result.reliable_deterioration),
                reliable_recovery=int(result.reliable_recovery),
            )
        outcomes.add(cell, **counts)
    return outcomes, discharges


# --- Appointments, callbacks, caseload ------------------------------------------------------


def _activity_facts(start: datetime, end: datetime, stopwatch: Stopwatch) -> _Cube:
    cube = _Cube()
    appointments = (
        Appointment.objects.filter(
            slot__start__gte=start,
            slot__start__lt=end,
            status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.DID_NOT_ATTEND],
        )
        .order_by()
        .values_list(
            "episode__referral__work_region", "episode__referral__profession", "episode__referral__career_stage"
        )
        .annotate(
            attended=Count("pk", filter=Q(status=AppointmentStatus.ATTENDED)),
            did_not_attend=Count("pk", filter=Q(status=AppointmentStatus.DID_NOT_ATTEND)),
        )
    )
    for region, profession, career_stage, attended, did_not_attend in stopwatch.time(
        "appointments", lambda: list(appointments)
    ):
        cube.add(_cell(region, profession, career_stage), attended=attended, did_not_attend=did_not_attend)

    # A callback counts in the month of its first attempt, answered if any attempt was.
    attempts = CallbackAttempt.objects.filter(callback=OuterRef("pk"))
    first_attempt = attempts.order_by("started_at", "number").values("started_at")[:1]
    callbacks = (
        Callback.objects.filter(
            pk__in=CallbackAttempt.objects.filter(started_at__gte=start, started_at__lt=end).values("callback_id")
        )
        .annotate(first_at=Subquery(first_attempt), answered=Exists(attempts.filter(outcome=AttemptOutcome.ANSWERED)))
        .filter(first_at__gte=start, first_at__lt=end)
        .order_by()
        .values_list("referral__work_region", "referral__profession", "referral__career_stage")
        .annotate(made=Count("pk"), answered_count=Count("pk", filter=Q(answered=True)))
    )
    for region, profession, career_stage, made, answered in stopwatch.time("callbacks", lambda: list(callbacks)):
        cube.add(_cell(region, profession, career_stage), callbacks_made=made, callbacks_answered=answered)
    return cube


def _caseload_facts(end: datetime) -> _Cube:
    """Episodes active at the end of the month, or now if the month has not ended."""
    cube = _Cube()
    at = min(end, timezone.now())
    rows = (
        CareEpisode.objects.filter(started_at__lt=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=at))
        .order_by()
        .values_list("referral__work_region", "referral__profession", "referral__career_stage")
        .annotate(active=Count("pk"))
    )
    for region, profession, career_stage, active in rows:
        cube.add(_cell(region, profession, career_stage), active=active)
    return cube


# --- Friends and Family Test ----------------------------------------------------------------


def _feedback_facts(month: date) -> dict[tuple[str, str, str], int]:
    """Answers given in the month by (region, profession, rating), rolled up over region and
    profession. The answers carry no career stage, so there is no roll-up over it to make."""
    counts: Counter[tuple[str, str, str]] = Counter()
    rows = (
        FeedbackResponse.objects.filter(month=month)
        .order_by()
        .values_list("region", "profession", "rating")
        .annotate(n=Count("pk"))
    )
    for region, profession, rating, n in rows:
        for r in (region or "", ALL):
            for p in (profession or "", ALL):
                counts[(r, p, rating)] += n
    return counts


# --- Fact rows ------------------------------------------------------------------------------


class Stopwatch:
    """Seconds spent on each part of a refresh, for the log line."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}

    def time(self, name: str, compute: Callable[[], T]) -> T:
        started = clock.perf_counter()
        result = compute()
        self.parts[name] = self.parts.get(name, 0.0) + clock.perf_counter() - started
        return result

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.parts.items())


def fact_rows(month: date, start: datetime, end: datetime, stopwatch: Stopwatch) -> list[Any]:
    """Every fact row for the month [start, end), unsaved, counted from the records as they are now."""

    def cells(cube: _Cube) -> Iterator[tuple[dict[str, Any], tuple[str, ...], Counter[str]]]:
        for (region, profession, career_stage), extra, counts in cube.items():
            dims = {"month": month, "region": region, "profession": profession, "career_stage": career_stage}
            yield dims, extra, counts

    rows: list[Any] = []
    referrals = stopwatch.time("referrals", lambda: _referral_facts(start, end))
    rows += [ReferralFact(**dims, channel=channel, **counts) for dims, (channel,), counts in cells(referrals)]
    needs = stopwatch.time("needs", lambda: _need_facts(start, end))
    rows += [NeedFact(**dims, need=need, **counts) for dims, (need,), counts in cells(needs)]
    waits = _wait_facts(start, end, stopwatch)
    for dims, (kind,), counts in cells(waits):
        histogram = {key.removeprefix("days:"): n for key, n in counts.items() if key.startswith("days:")}
        rows.append(
            WaitFact(
                **dims,
                kind=kind,
                waits=counts["waits"],
                within_6_weeks=counts["within_6_weeks"],
                within_18_weeks=counts["within_18_weeks"],
                days=dict(sorted(histogram.items(), key=lambda item: int(item[0]))),
            )
        )
    outcomes, discharges = stopwatch.time("outcomes", lambda: _outcome_facts(start, end))
    rows += [OutcomeFact(**dims, **counts) for dims, _, counts in cells(outcomes)]
    rows += [DischargeFact(**dims, reason=reason, **counts) for dims, (reason,), counts in cells(discharges)]
    closures = stopwatch.time("closures", lambda: _closure_facts(start, end))
    rows += [ClosureFact(**dims, reason=reason, **counts) for dims, (reason,), counts in cells(closures)]
    activity = _activity_facts(start, end, stopwatch)
    rows += [ActivityFact(**dims, **counts) for dims, _, counts in cells(activity)]
    caseload = stopwatch.time("caseload", lambda: _caseload_facts(end))
    rows += [CaseloadFact(**dims, **counts) for dims, _, counts in cells(caseload)]
    feedback = stopwatch.time("feedback", lambda: _feedback_facts(month))
    rows += [
        FeedbackFact(month=month, region=region, profession=profession, career_stage=ALL, rating=rating, responses=n)
        for (region, profession, rating), n in feedback.items()
    ]
    return rows
