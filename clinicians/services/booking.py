"""Booking, moving and cancelling appointments, and recording attendance.

A slot can never be booked twice. Two guards, so either alone would hold:
- every write locks the slot rows it touches (SELECT ... FOR UPDATE), so concurrent
  requests queue up on the slot and each sees the previous one's result;
- the partial unique index `appointment_slot_booked_once` refuses a second appointment
  that is not cancelled on the same slot, whatever path the write took.
Whoever loses gets `SlotTakenError` with the next open times to offer instead.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.notifications.services import notify

from ..models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CareEpisode,
    FollowUpKind,
    FollowUpTask,
    OutcomeMeasure,
    Slot,
    SlotStatus,
)
from ..selectors import next_open_slots
from .messages import appointment_context, contact_for

SLOT_CONSTRAINT = "appointment_slot_booked_once"


class BookingError(Exception):
    """A booking change that cannot be made; the message is fit to show the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SlotTakenError(BookingError):
    """Someone else booked the time first (or it has just closed)."""

    def __init__(self, next_slots: list[Slot]) -> None:
        super().__init__("That time has just been taken. Choose another time.")
        self.next_slots = next_slots


class TooLateToChangeError(BookingError):
    def __init__(self) -> None:
        super().__init__("This appointment is too soon to change online. Call the helpline to change or cancel it.")


class _SlotGone(Exception):
    """Inside the booking transaction: the slot is no longer open (answered as SlotTakenError)."""


def _video_token() -> str:
    return secrets.token_urlsafe(24)


def _is_slot_conflict(exc: IntegrityError) -> bool:
    return SLOT_CONSTRAINT in str(exc)


def _notify_booked(appointment: Appointment, *, changed: bool) -> None:
    referral = appointment.episode.referral
    channel, recipient = contact_for(referral)
    if not recipient:
        return
    notify(
        channel=channel,
        template="appointment_booked",
        recipient=recipient,
        context={**appointment_context(appointment), "changed": changed},
        idempotency_key=f"appointment-booked:{appointment.pk}:v{appointment.version}",
        subject_id=referral.user_id,
    )


def appointment_book(
    *,
    slot_id: int,
    episode_id: int,
    booked_by: User,
    kind: str | None = None,
    only_one_upcoming: bool = False,
) -> Appointment:
    """Book an open slot with the episode's clinician.

    Guarantees: exactly one of any number of concurrent attempts on a slot succeeds; the
    others raise SlotTakenError (carrying the next open times). `kind` defaults to an
    assessment for the first appointment of an episode and treatment after that.
    `only_one_upcoming` (practitioners booking for themselves) refuses a second upcoming
    appointment. Writes an audit row and queues a discreet confirmation to the practitioner.
    """
    episode = CareEpisode.objects.select_related("referral").get(pk=episode_id)
    try:
        with transaction.atomic():
            if not episode.is_active:
                raise BookingError("Care with this clinician has finished, so new appointments cannot be booked.")
            if only_one_upcoming and episode.appointments.upcoming().exists():
                raise BookingError("You already have an appointment booked. You can change that one instead.")
            slot = Slot.objects.select_for_update().filter(pk=slot_id, clinician_id=episode.clinician_id).first()
            if slot is None:
                raise BookingError("That time is not one of your clinician's appointments.")
            if slot.status != SlotStatus.OPEN or slot.start <= timezone.now():
                raise _SlotGone
            if kind is None:
                first = not episode.appointments.live().exists()
                kind = AppointmentKind.ASSESSMENT if first else AppointmentKind.TREATMENT
            appointment = Appointment.objects.create(
                slot=slot,
                episode=episode,
                kind=kind,
                booked_by=booked_by,
                video_token=_video_token() if slot.is_video else "",
            )
            Slot.objects.filter(pk=slot.pk).update(status=SlotStatus.BOOKED)
            audit_record(
                action=Action.CREATE, obj=appointment, subject_id=episode.referral.user_id, detail="appointment booked"
            )
            _notify_booked(appointment, changed=False)
            return appointment
    except (_SlotGone, IntegrityError) as exc:
        if isinstance(exc, IntegrityError) and not _is_slot_conflict(exc):
            raise
    raise SlotTakenError(next_open_slots(clinician_id=episode.clinician_id, exclude_slot_id=slot_id))


def appointment_reschedule(
    *, appointment_id: int, new_slot_id: int, by: User, enforce_cutoff: bool = True
) -> Appointment:
    """Move a booked appointment to another open slot with the same clinician.

    The old slot is opened again, the version goes up (so reminders for the new time are
    sent afresh) and a confirmation of the new time is queued. Scores never move with it:
    any the practitioner gave before the old time stay at the date they were given. With `enforce_cutoff`
    (practitioners), a change inside the cut-off raises TooLateToChangeError.
    """
    try:
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(of=("self",))
                .select_related("slot", "episode__referral")
                .get(pk=appointment_id)
            )
            _check_changeable(appointment, enforce_cutoff=enforce_cutoff)
            if new_slot_id == appointment.slot_id:
                return appointment
            # Lock both slots in id order, so two moves between the same slots cannot deadlock.
            slots = {
                slot.pk: slot
                for slot in Slot.objects.select_for_update()
                .filter(pk__in=[appointment.slot_id, new_slot_id])
                .order_by("pk")
            }
            new_slot = slots.get(new_slot_id)
            if new_slot is None or new_slot.clinician_id != appointment.episode.clinician_id:
                raise BookingError("That time is not one of your clinician's appointments.")
            if new_slot.status != SlotStatus.OPEN or new_slot.start <= timezone.now():
                raise _SlotGone
            old_slot_id = appointment.slot_id
            appointment.slot = new_slot
            appointment.version += 1
            appointment.booked_at = timezone.now()
            appointment.booked_by = by
            appointment.video_token = _video_token() if new_slot.is_video else ""
            appointment.save(update_fields=["slot", "version", "booked_at", "booked_by", "video_token"])
            Slot.objects.filter(pk=old_slot_id).update(status=SlotStatus.OPEN)
            Slot.objects.filter(pk=new_slot.pk).update(status=SlotStatus.BOOKED)
            # Answers given before the old time stay on the record at the date they were
            # given; they are not carried to the new time (see _scores_keep_their_date).
            _scores_keep_their_date(appointment)
            audit_record(
                action=Action.UPDATE,
                obj=appointment,
                subject_id=appointment.episode.referral.user_id,
                detail="appointment moved",
            )
            _notify_booked(appointment, changed=True)
            return appointment
    except (_SlotGone, IntegrityError) as exc:
        if isinstance(exc, IntegrityError) and not _is_slot_conflict(exc):
            raise
    clinician_id = Appointment.objects.values_list("episode__clinician_id", flat=True).get(pk=appointment_id)
    raise SlotTakenError(next_open_slots(clinician_id=clinician_id, exclude_slot_id=new_slot_id))


def _scores_keep_their_date(appointment: Appointment) -> None:
    """Unhook an appointment's scores from it, keeping them on the episode at the time they
    were recorded: the chart and table place a score by its appointment's time, so scores left
    on a moved (or missed) appointment would be shown at a session they were never part of."""
    OutcomeMeasure.objects.filter(appointment=appointment).update(appointment=None)


def _check_changeable(appointment: Appointment, *, enforce_cutoff: bool, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if appointment.status != AppointmentStatus.BOOKED or appointment.slot.start <= now:
        raise BookingError("This appointment can no longer be changed.")
    if enforce_cutoff and not appointment.changeable_by_practitioner(now):
        raise TooLateToChangeError


def appointment_cancel_by_practitioner(*, appointment_id: int, by: User) -> Appointment:
    """The practitioner cancels before the cut-off; the time is offered to others again."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot", "episode__referral")
            .get(pk=appointment_id)
        )
        _check_changeable(appointment, enforce_cutoff=True)
        _cancel(appointment, status=AppointmentStatus.CANCELLED_BY_PRACTITIONER, by=by, reason="", reopen=True)
        return appointment


def appointment_cancel_by_service(
    *, appointment_id: int, by: User, reason: str, reopen_slot: bool, tell_practitioner: bool = True
) -> Appointment:
    """The service cancels (clinician unwell, care ended): no cut-off; a reason is kept.

    `reopen_slot` offers the time to others; otherwise it is closed. The practitioner is
    told by a discreet message (the reason is not in it) inviting them to arrange another
    time, unless `tell_practitioner` is False (discharge, which sends its own message).
    """
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot__site", "episode__referral")
            .get(pk=appointment_id)
        )
        _check_changeable(appointment, enforce_cutoff=False)
        _cancel(appointment, status=AppointmentStatus.CANCELLED_BY_SERVICE, by=by, reason=reason, reopen=reopen_slot)
        referral = appointment.episode.referral
        channel, recipient = contact_for(referral)
        if recipient and tell_practitioner:
            notify(
                channel=channel,
                template="appointment_cancelled",
                recipient=recipient,
                context=appointment_context(appointment),
                idempotency_key=f"appointment-cancelled:{appointment.pk}",
                subject_id=referral.user_id,
            )
        return appointment


def _cancel(appointment: Appointment, *, status: str, by: User, reason: str, reopen: bool) -> None:
    Slot.objects.select_for_update().filter(pk=appointment.slot_id).update(
        status=SlotStatus.OPEN if reopen else SlotStatus.BLOCKED
    )
    appointment.status = status
    appointment.cancelled_at = timezone.now()
    appointment.cancelled_by = by
    appointment.cancel_reason = reason
    appointment.video_token = ""
    appointment.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "video_token"])
    audit_record(
        action=Action.UPDATE,
        obj=appointment,
        subject_id=appointment.episode.referral.user_id,
        detail="appointment cancelled",
    )


def _missed_in_a_row_refresh(episode_id: int) -> None:
    """Count the episode's missed appointments since the last one attended (cancelled ones do
    not break the run) and keep the count on the episode for the caseload."""
    recorded = (
        Appointment.objects.filter(
            episode_id=episode_id, status__in=(AppointmentStatus.ATTENDED, AppointmentStatus.DID_NOT_ATTEND)
        )
        .order_by("-slot__start", "-pk")
        .values_list("status", flat=True)
    )
    missed = 0
    for status in recorded.iterator():
        if status != AppointmentStatus.DID_NOT_ATTEND:
            break
        missed += 1
    CareEpisode.objects.filter(pk=episode_id).update(missed_in_a_row=missed)


def appointment_attendance_record(*, appointment_id: int, attended: bool, by: User) -> Appointment:
    """Mark an appointment attended or not attended, once it has started; a mistake can be corrected.

    A missed appointment gets a follow-up task for the clinician ("contact them"), loses any
    scores (the practitioner's answers before it stay on the record at the date they gave
    them) and adds to the episode's count of misses in a row; marking it attended again
    closes that task.
    """
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot", "episode__referral")
            .get(pk=appointment_id)
        )
        recordable = (AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED, AppointmentStatus.DID_NOT_ATTEND)
        if appointment.status not in recordable:
            raise BookingError("This appointment was cancelled, so attendance cannot be recorded.")
        if appointment.slot.start > timezone.now():
            raise BookingError("You can record attendance once the appointment has started.")
        appointment.status = AppointmentStatus.ATTENDED if attended else AppointmentStatus.DID_NOT_ATTEND
        appointment.attendance_recorded_at = timezone.now()
        appointment.attendance_recorded_by = by
        appointment.save(update_fields=["status", "attendance_recorded_at", "attendance_recorded_by"])
        tasks = FollowUpTask.objects.filter(appointment=appointment, kind=FollowUpKind.MISSED_APPOINTMENT)
        if attended:
            # Corrected: the follow-up for a miss that did not happen is no longer needed.
            tasks.filter(done_at__isnull=True).update(done_at=appointment.attendance_recorded_at, done_by=by)
        else:
            _scores_keep_their_date(appointment)
            if not tasks.update(done_at=None, done_by=None):
                FollowUpTask.objects.create(
                    episode_id=appointment.episode_id, appointment=appointment, kind=FollowUpKind.MISSED_APPOINTMENT
                )
        _missed_in_a_row_refresh(appointment.episode_id)
        audit_record(
            action=Action.UPDATE,
            obj=appointment,
            subject_id=appointment.episode.referral.user_id,
            detail="attendance",
        )
        return appointment
