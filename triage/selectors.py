"""Reads for the handler's dashboard: each queue in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, F, Model, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from clinicians.models import Appointment, AppointmentStatus
from practitioner_health.accounts.models import User
from practitioner_health.crypto import phone_index
from practitioner_health.notifications.models import Notification
from practitioner_health.notifications.models import Status as NotificationStatus
from referrals.eligibility import registration_index
from referrals.models import (
    FINISHED_STATUSES,
    DuplicateSubmission,
    Eligibility,
    Need,
    Referral,
    ReferralNeed,
    Register,
    Status,
)
from referrals.selectors import request_latest_for_user

from .models import OPEN_CALLBACK_STATUSES, Callback, CallbackQuerySet, CallbackStatus, ReferralOwnership
from .urgency import opening_calendar, urgent_target, with_latest_triage

# Rows of each queue on the dashboard; the whole queue is on its own page, in pages.
DASHBOARD_ROWS = 10
QUEUE_PAGE_ROWS = 50


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    description: str
    # What its rows are, each drawn in its own way: "referrals", "callbacks" or "messages".
    kind: str
    # Anything waiting in it needs attention now (its count is shown in red).
    pressing: bool
    items: list
    total: int


# What a referral row in a queue shows (who, what help, where, how long waiting) and what
# places it in its queue: nothing else is read or decrypted.
REFERRAL_ROW_COLUMNS = (
    "pk",
    "reference",
    "submitted_at",
    "urgent",
    "status",
    "eligibility",
    "channel",
    "first_contact_at",
    "name",
    "preferred_name",
    "seen_where",
    "seen_region",
    "work_region",
)


def _referrals() -> QuerySet[Referral]:
    # With who is working it ("being worked by"), in the same query.
    return Referral.objects.select_related("ownership__handler").only(
        *REFERRAL_ROW_COLUMNS, "ownership__taken_at", "ownership__handler__full_name", "ownership__handler__role"
    )


def with_needs(rows: list[Any]) -> list[Any]:
    """Each referral row with `.need_labels`, what they asked for help with: one query for all rows."""
    referrals = [row for row in rows if isinstance(row, Referral)]
    if not referrals:
        return rows
    labels: dict[int, list[str]] = {referral.pk: [] for referral in referrals}
    for referral_id, need in ReferralNeed.objects.filter(referral_id__in=labels).values_list("referral_id", "need"):
        labels[referral_id].append(Need(need).label)
    for referral in referrals:
        referral.need_labels = labels[referral.pk]  # type: ignore[attr-defined]
    return rows


# Each queue is a condition on one table. The same condition picks the queue's rows and,
# beside the other queues' conditions on that table, counts them (see queue_totals).
#
# The referral queues divide the open referrals between them: each open referral not yet
# seen by a clinician is in exactly one (tests/triage/test_queues.py proves it for every
# state a referral can reach). Once a clinician has seen them, they are on that clinician's
# caseload instead.
# Open, spelled as the statuses themselves so the queue index (status, urgent, submitted_at) serves it.
OPEN_STATUSES = [status for status in Status if status not in FINISHED_STATUSES]
OPEN = Q(status__in=OPEN_STATUSES)
# A clinician has seen them: an attended appointment in any of their care episodes.
SEEN = Q(Exists(Appointment.objects.filter(episode__referral_id=OuterRef("pk"), status=AppointmentStatus.ATTENDED)))
NOT_REVIEW = ~Q(eligibility=Eligibility.NEEDS_REVIEW)
# Urgent (self-harm) or high risk at triage: red until seen, whatever else is pending.
URGENT = Q(urgent=True) & OPEN & ~SEEN
AWAITING_FIRST_CONTACT = Q(status=Status.NEW, urgent=False) & NOT_REVIEW
CONTACTED = Q(status=Status.CONTACTED, urgent=False) & NOT_REVIEW
ELIGIBILITY_REVIEW = Q(eligibility=Eligibility.NEEDS_REVIEW, urgent=False) & OPEN & ~SEEN
TRIAGED = Q(status=Status.TRIAGED, urgent=False) & NOT_REVIEW
AWAITING_FIRST_APPOINTMENT = Q(status=Status.ASSIGNED, urgent=False) & NOT_REVIEW & ~SEEN


def urgent_referrals() -> QuerySet[Referral]:
    return with_latest_triage(_referrals().filter(URGENT)).order_by("submitted_at")


def awaiting_first_contact() -> QuerySet[Referral]:
    return _referrals().filter(AWAITING_FIRST_CONTACT).order_by("submitted_at")


def contacted_not_triaged() -> QuerySet[Referral]:
    return _referrals().filter(CONTACTED).order_by("submitted_at")


def eligibility_reviews() -> QuerySet[Referral]:
    return _referrals().filter(ELIGIBILITY_REVIEW).order_by("submitted_at")


def triaged_not_assigned() -> QuerySet[Referral]:
    return _referrals().filter(TRIAGED).order_by("submitted_at")


def assigned_not_seen() -> QuerySet[Referral]:
    return _referrals().filter(AWAITING_FIRST_APPOINTMENT).order_by("submitted_at")


def with_targets(rows: list[Referral], now: datetime) -> list[Referral]:
    """Each urgent row with `.target` (an UrgentTarget): one query for the bank holidays."""
    if not rows:
        return rows
    calendar = opening_calendar()
    for row in rows:
        row.target = urgent_target(  # type: ignore[attr-defined]
            referral=row,
            triaged_at=getattr(row, "triaged_at", None),
            triage_urgency=getattr(row, "triage_urgency", None),
            now=now,
            calendar=calendar,
        )
    return rows


# What a callback row on the dashboard shows: no phone number, no referral's personal data.
CALLBACK_ROW_COLUMNS = ("pk", "referral_id", "referral__reference", "due_at", "reason", "status", "attempts")


def _callback_rows() -> CallbackQuerySet:
    return Callback.objects.select_related("referral").only(*CALLBACK_ROW_COLUMNS)


def _callbacks_due(now: datetime) -> Q:
    return Q(status__in=OPEN_CALLBACK_STATUSES, due_at__lte=now)


def _callbacks_later_today(now: datetime) -> Q:
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    return Q(status=CallbackStatus.SCHEDULED, due_at__gt=now, due_at__lte=end_of_day)


def _failed_callbacks(now: datetime) -> Q:
    return Q(status=CallbackStatus.FAILED, completed_at__gte=now - timedelta(days=7))


def _failed_messages(now: datetime) -> Q:
    return Q(status=NotificationStatus.FAILED, created_at__gte=now - timedelta(days=7))


def callbacks_due(now: datetime) -> QuerySet[Callback]:
    return _callback_rows().filter(_callbacks_due(now)).order_by("due_at")


def callbacks_later_today(now: datetime) -> QuerySet[Callback]:
    return _callback_rows().filter(_callbacks_later_today(now)).order_by("due_at")


def failed_callbacks(now: datetime) -> QuerySet[Callback]:
    return _callback_rows().filter(_failed_callbacks(now)).order_by("-completed_at")


def failed_messages(now: datetime) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(_failed_messages(now))
        # Not the recipient, the message or the account's email: the row shows the channel,
        # the error and which referral it was about.
        .only("pk", "channel", "created_at", "last_error", "subject_id")
        .prefetch_related(
            Prefetch("subject", queryset=User.objects.only("pk")),
            Prefetch("subject__referrals", queryset=Referral.objects.only("pk", "reference", "user_id")),
        )
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class QueueDefinition:
    key: str
    title: str
    description: str
    kind: str
    rows: Callable[[datetime], QuerySet[Any]]
    # The queue's condition on its table, for counting it beside the others on that table.
    model: type[Model]
    where: Callable[[datetime], Q]
    pressing: bool = False
    # Adds what a row shows beyond its columns (an urgent row's target), to the rows shown.
    decorate: Callable[[list, datetime], list] | None = None

    def filled(self, items: list, total: int, now: datetime | None = None) -> Queue:
        if self.decorate is not None and items:
            items = self.decorate(items, now or timezone.now())
        return Queue(self.key, self.title, self.description, self.kind, self.pressing, items, total)


# The helpline's work queues, in the order the dashboard shows them.
QUEUES = (
    QueueDefinition(
        "urgent",
        "Urgent and high risk, not yet seen",
        "Thoughts of self-harm, or high risk at triage. Contact the same working day; after triage,"
        " seen by a clinician within the urgency chosen.",
        "urgent",
        lambda now: urgent_referrals(),
        Referral,
        lambda now: URGENT,
        pressing=True,
        decorate=with_targets,
    ),
    QueueDefinition(
        "callbacks-due",
        "Callbacks due now",
        "Due or overdue.",
        "callbacks",
        callbacks_due,
        Callback,
        _callbacks_due,
        pressing=True,
    ),
    QueueDefinition(
        "new",
        "New referrals awaiting first contact",
        "Oldest first.",
        "referrals",
        lambda now: awaiting_first_contact(),
        Referral,
        lambda now: AWAITING_FIRST_CONTACT,
    ),
    QueueDefinition(
        "contacted",
        "Contacted, not yet triaged",
        "Reached by the helpline, triage still to do. Oldest first.",
        "referrals",
        lambda now: contacted_not_triaged(),
        Referral,
        lambda now: CONTACTED,
    ),
    QueueDefinition(
        "reviews",
        "Eligibility reviews",
        "Not found in the register, name mismatch or erased.",
        "referrals",
        lambda now: eligibility_reviews(),
        Referral,
        lambda now: ELIGIBILITY_REVIEW,
    ),
    QueueDefinition(
        "callbacks-later",
        "Callbacks later today",
        "",
        "callbacks",
        callbacks_later_today,
        Callback,
        _callbacks_later_today,
    ),
    QueueDefinition(
        "triaged",
        "Triaged, not yet assigned",
        "Waiting for a clinician.",
        "referrals",
        lambda now: triaged_not_assigned(),
        Referral,
        lambda now: TRIAGED,
    ),
    QueueDefinition(
        "assigned",
        "With a clinician, not yet seen",
        "Assigned, first appointment not yet attended: check one is booked.",
        "referrals",
        lambda now: assigned_not_seen(),
        Referral,
        lambda now: AWAITING_FIRST_APPOINTMENT,
    ),
    QueueDefinition(
        "failed-callbacks",
        "Callbacks that got no answer",
        "All attempts used in the last 7 days.",
        "callbacks",
        failed_callbacks,
        Callback,
        _failed_callbacks,
        pressing=True,
    ),
    QueueDefinition(
        "failed-messages",
        "Messages that could not be sent",
        "Permanent errors in the last 7 days.",
        "messages",
        failed_messages,
        Notification,
        _failed_messages,
        pressing=True,
    ),
)
QUEUE_BY_KEY = {definition.key: definition for definition in QUEUES}


def queue_totals(now: datetime) -> dict[str, int]:
    """Every queue's length: one query for each table the queues read, whatever their number."""
    totals: dict[str, int] = {}
    for model in dict.fromkeys(definition.model for definition in QUEUES):
        keys = [definition.key for definition in QUEUES if definition.model is model]
        # Named apart from the table's own columns (a queue is called "urgent").
        conditions = {f"queue_{n}": QUEUE_BY_KEY[key].where(now) for n, key in enumerate(keys)}
        counts = model._default_manager.filter(reduce(or_, conditions.values())).aggregate(
            **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
        )
        totals |= {key: counts[f"queue_{n}"] for n, key in enumerate(keys)}
    return totals


def dashboard_queues(now: datetime | None = None) -> list[Queue]:
    """Every queue's length and first few rows (oldest or most pressing first).

    The lengths come first, three queries in all, so an empty queue costs no query of its own;
    the needs of every referral shown are one query more, whatever the number of queues.
    """
    now = now or timezone.now()
    totals = queue_totals(now)
    rows = {
        definition.key: list(definition.rows(now)[:DASHBOARD_ROWS]) if totals[definition.key] else []
        for definition in QUEUES
    }
    with_needs([row for items in rows.values() for row in items])
    return [definition.filled(rows[definition.key], totals[definition.key], now) for definition in QUEUES]


def referral_search(query: str) -> list[Referral]:
    """By reference (PH-XXXX-XXXX) or by registration number through the blind index."""
    text = "".join(query.split()).upper()
    if not text:
        return []
    if text.startswith("PH-") or text.startswith("PH"):
        reference = text if text.startswith("PH-") else "PH-" + text[2:]
        return list(_referrals().filter(reference=reference))
    if text.isdigit():
        indexes = [registration_index(Register.GMC, text), registration_index(Register.GDC, text)]
        return list(_referrals().filter(registration_index__in=indexes).order_by("-submitted_at"))
    return []


def referrals_worked_by(handler_id: int) -> QuerySet[Referral]:
    """ "My referrals": the open referrals a handler has taken, longest held first."""
    return (
        _referrals()
        .filter(ownership__handler_id=handler_id, status__in=OPEN_STATUSES)
        .annotate(taken_at=F("ownership__taken_at"))
        .order_by("ownership__taken_at", "pk")
    )


def ownership_of(referral_id: int) -> ReferralOwnership | None:
    return ReferralOwnership.objects.filter(referral_id=referral_id).select_related("handler").first()


def referral_for_handler(pk: int) -> Referral:
    return Referral.objects.prefetch_related("needs", "eligibility_decisions").get(pk=pk)


@dataclass(frozen=True)
class CallbackTarget:
    """Whom a practitioner's "call me back" reaches: their open referral, or, for an account
    whose request repeated an open referral, the number typed with that request (a callback
    with no referral, as one asked for on the phone line is)."""

    referral: Referral | None
    phone: str
    voicemail_ok: bool

    def pending(self) -> Callback | None:
        callbacks = (
            Callback.objects.filter(referral=self.referral)
            if self.referral is not None
            else Callback.objects.filter(referral=None, phone_index=phone_index(self.phone))
        )
        return callbacks.filter(status__in=OPEN_CALLBACK_STATUSES).order_by("due_at").first()


def callback_target_for(user: User) -> CallbackTarget | None:
    """What "Ask us to call you" works on for this practitioner, or None when nothing is open.

    A repeat request gets the same page and the same call as a new referral, so whoever holds
    it cannot tell that the number was already referred; the call goes to the number they typed,
    never to the open referral's owner.
    """
    referral = Referral.objects.open().filter(user=user).order_by("-submitted_at").first()
    if referral is not None:
        return CallbackTarget(referral=referral, phone=referral.mobile, voicemail_ok=referral.voicemail_ok)
    latest = request_latest_for_user(user)
    if isinstance(latest, DuplicateSubmission) and latest.closed_at is None and latest.mobile:
        return CallbackTarget(referral=None, phone=latest.mobile, voicemail_ok=latest.voicemail_ok)
    return None
