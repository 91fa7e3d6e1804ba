"""Appointment reminders, queued by the beat job through the notifications outbox."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from practitioner_health.notifications.messages import IndiscreetMessageError
from practitioner_health.notifications.services import notify

from ..models import Appointment, AppointmentReminder, AppointmentStatus, SlotStatus
from .messages import appointment_context, contact_for

logger = logging.getLogger(__name__)


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


def reminders_send(*, now: datetime | None = None) -> int:
    """Queue every reminder that is due; returns how many were queued.

    Guarantees exactly one reminder of each kind per booking of an appointment, even if
    the job runs twice or two runs overlap: each appointment is handled under its row lock
    (an overlapping run skips it), an AppointmentReminder row is unique per (appointment,
    hours, version), and the outbox key is unique too. Cancelled appointments get none; a
    rescheduled one has a new version and so gets its reminders afresh.
    """
    now = now or timezone.now()
    hours = list(settings.APPOINTMENT_REMINDER_HOURS)
    if not hours:
        return 0
    candidates = list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            # Uses the slot (status, start) index: booked appointments' slots are booked.
            slot__status=SlotStatus.BOOKED,
            slot__start__gt=now,
            slot__start__lte=now + timedelta(hours=max(hours)),
        ).values_list("pk", "slot__start", "version", "booked_at")
    )
    already = set(
        AppointmentReminder.objects.filter(appointment_id__in=[c[0] for c in candidates]).values_list(
            "appointment_id", "hours_before", "version"
        )
    )
    queued = 0
    for appointment_id, start, version, booked_at in candidates:
        due = reminder_due(start=start, booked_at=booked_at, now=now, hours=hours)
        if due is None or (appointment_id, due, version) in already:
            continue
        try:
            queued += _queue_reminder(appointment_id=appointment_id, hours_before=due, version=version)
        except IndiscreetMessageError:
            # A site name or address that gives the service away: fix it in the admin.
            logger.error("Reminder for appointment %s refused by the discretion check", appointment_id)
    return queued


def _queue_reminder(*, appointment_id: int, hours_before: int, version: int) -> int:
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("slot__site", "episode__referral__user")
            .filter(pk=appointment_id, status=AppointmentStatus.BOOKED, version=version)
            .first()
        )
        if appointment is None:
            return 0  # cancelled or moved since, or another run has it locked
        referral = appointment.episode.referral
        channel, recipient = contact_for(referral)
        reminder, created = AppointmentReminder.objects.get_or_create(
            appointment=appointment,
            hours_before=hours_before,
            version=version,
            defaults={"channel": channel if recipient else "none"},
        )
        if not created:
            return 0
        if not recipient:
            logger.warning("Appointment %s has no contact details for a reminder", appointment_id)
            return 0
        reminder.notification = notify(
            channel=channel,
            template="appointment_reminder",
            recipient=recipient,
            context=appointment_context(appointment),
            idempotency_key=f"appointment-reminder:{appointment.pk}:{hours_before}h:v{version}",
            subject_id=referral.user_id,
        )
        reminder.save(update_fields=["notification"])
        return 1
