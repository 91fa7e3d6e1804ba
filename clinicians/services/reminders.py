"""Appointment reminders, queued by the beat job through the notifications outbox."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from itertools import batched
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.notifications.services import OutgoingMessage, notify_many

from ..models import Appointment, AppointmentReminder, AppointmentStatus, Site, SlotStatus
from .messages import contact_choice, sign_in_address, visit_context

logger = logging.getLogger(__name__)

# Appointments locked and queued per transaction: a few queries and one insert per table
# for each chunk, short enough that a booking change waits a moment at most.
REMINDER_CHUNK_SIZE = 1000


def reminder_due(*, start: datetime, booked_at: datetime, now: datetime, hours: list[int]) -> int | None:
    """Which reminder (hours before) is due now, if any.

    The due one is the nearest whose time has come: after a pause in the job only the
    latest reminder goes, not a backlog. A reminder whose time had already passed when
    the appointment was (re)booked is not sent; the booking confirmation covered it.
    """
    passed = [h for h in hours if now >= start - timedelta(hours=h)]
    if not passed or now >= start:
        return None
    nearest = min(passed)
    if booked_at > start - timedelta(hours=nearest):
        return None
    return nearest


def reminders_send(*, now: datetime | None = None, chunk_size: int = REMINDER_CHUNK_SIZE) -> int:
    """Queue every reminder that is due; returns how many were queued.

    Guarantees exactly one reminder of each kind per booking of an appointment, even if
    the job runs twice or two runs overlap: appointments are handled in chunks, each in
    one transaction under the appointments' row locks (an overlapping run skips the rows
    it finds locked, and rechecks what was already sent once it holds the locks), an
    AppointmentReminder row is unique per (appointment, hours, version), and the outbox
    key is unique too. Cancelled appointments get none; a rescheduled one has a new
    version and so gets its reminders afresh. Every message passes the discretion check
    before it is queued; one it refuses is logged by appointment id, queues nothing (so it
    goes once the site is fixed) and does not hold up the others. A chunk takes the same
    few queries however many appointments it holds, and hands its messages to the broker
    after commit in a few batched publishes.
    """
    now = now or timezone.now()
    hours = list(settings.APPOINTMENT_REMINDER_HOURS)
    if not hours:
        return 0
    window = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        # Uses the slot (status, start) index: booked appointments' slots are booked.
        slot__status=SlotStatus.BOOKED,
        slot__start__gt=now,
        slot__start__lte=now + timedelta(hours=max(hours)),
    )
    already = set(
        AppointmentReminder.objects.filter(appointment__in=window.values("pk")).values_list(
            "appointment_id", "hours_before", "version"
        )
    )
    due: dict[int, int] = {}  # appointment id -> the version it was due for, earliest start first
    for appointment_id, start, version, booked_at in window.values_list("pk", "slot__start", "version", "booked_at"):
        hours_before = reminder_due(start=start, booked_at=booked_at, now=now, hours=hours)
        if hours_before is not None and (appointment_id, hours_before, version) not in already:
            due[appointment_id] = version
    queued = 0
    for chunk in batched(due.items(), chunk_size):
        queued += _queue_reminders(versions=dict(chunk), now=now, hours=hours)
    return queued


def _queue_reminders(*, versions: dict[int, int], now: datetime, hours: list[int]) -> int:
    """One chunk, in one transaction: lock, recheck, insert reminders and their messages."""
    with transaction.atomic():
        # Only the columns a reminder needs, as plain values: no model instances to build.
        rows = [
            _Locked._make(values)
            for values in Appointment.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(pk__in=list(versions), status=AppointmentStatus.BOOKED)
            .values_list(
                "pk",
                "version",
                "booked_at",
                "slot__start",
                "slot__site_id",
                "episode__referral__texts_ok",
                "episode__referral__mobile",
                "episode__referral__email",
                "episode__referral__user_id",
            )
        ]
        # Read after the locks are held: a run that had these rows before us has committed.
        sent = set(
            AppointmentReminder.objects.filter(appointment_id__in=[row.pk for row in rows]).values_list(
                "appointment_id", "hours_before", "version"
            )
        )
        # Sites are few, and an account's address is needed only for a referral without one.
        sites = Site.objects.in_bulk({row.site_id for row in rows if row.site_id is not None})
        account_emails: dict[int | None, str] = dict(
            User.objects.filter(pk__in={row.user_id for row in rows if not row.email and row.user_id}).values_list(
                "pk", "email"
            )
        )
        sign_in_url = sign_in_address()
        reminders: list[AppointmentReminder] = []
        messages: list[OutgoingMessage] = []
        for row in rows:
            if row.version != versions[row.pk]:
                continue  # moved since: the next run sees the new booking
            hours_before = reminder_due(start=row.start, booked_at=row.booked_at, now=now, hours=hours)
            if hours_before is None or (row.pk, hours_before, row.version) in sent:
                continue
            channel, recipient = contact_choice(
                texts_ok=row.texts_ok,
                mobile=row.mobile,
                email=row.email,
                account_email=account_emails.get(row.user_id, ""),
            )
            reminders.append(
                AppointmentReminder(
                    appointment_id=row.pk,
                    hours_before=hours_before,
                    version=row.version,
                    channel=channel if recipient else "none",
                    created_at=now,
                )
            )
            if not recipient:
                logger.warning("Appointment %s: no channel to send its reminder by", row.pk)
                continue
            messages.append(
                OutgoingMessage(
                    channel=channel,
                    template="appointment_reminder",
                    recipient=recipient,
                    context=visit_context(
                        start=row.start,
                        site=None if row.site_id is None else sites[row.site_id],
                        sign_in_url=sign_in_url,
                    ),
                    idempotency_key=_key(row.pk, hours_before, row.version),
                    subject_id=row.user_id,
                )
            )
        result = notify_many(messages)
        refused = set(result.refused)
        keep: list[AppointmentReminder] = []
        for reminder in reminders:
            key = _key(reminder.appointment_id, reminder.hours_before, reminder.version)
            if key in refused:
                # A site name or address that gives the service away: fix it in the admin.
                # No reminder row is kept, so the next run tries again once it is fixed.
                logger.error("Reminder for appointment %s refused by the discretion check", reminder.appointment_id)
                continue
            reminder.notification_id = result.ids.get(key)
            keep.append(reminder)
        AppointmentReminder.objects.bulk_create(keep)
        return sum(1 for reminder in keep if reminder.notification_id is not None)


class _Locked(NamedTuple):
    """One locked appointment, as the lock query reads it (the same order)."""

    pk: int
    version: int
    booked_at: datetime
    start: datetime
    site_id: int | None
    texts_ok: bool
    mobile: str
    email: str
    user_id: int | None


def _key(appointment_id: int, hours_before: int, version: int) -> str:
    return f"appointment-reminder:{appointment_id}:{hours_before}h:v{version}"
