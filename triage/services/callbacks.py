"""Callbacks: the service rings a helpline line, then connects the handler who answers to the caller.

A task places each attempt at its due time. No answer means another attempt after
CALLBACK_RETRY_MINUTES, up to CALLBACK_MAX_ATTEMPTS; a voicemail is left only when the
practitioner said that is safe, and it never says what the service is for.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from twilio.base.exceptions import TwilioRestException

from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.crypto import normalise_phone, phone_index
from practitioner_health.logfilters import error_kind
from practitioner_health.notifications.transports import twilio_client
from referrals.models import Referral, Status

from ..models import AttemptOutcome, Callback, CallbackAttempt, CallbackReason, CallbackStatus

logger = logging.getLogger(__name__)


def callback_request(
    *,
    reason: CallbackReason | str,
    referral: Referral | None = None,
    phone: str = "",
    due_at: datetime | None = None,
    window_end: datetime | None = None,
    created_by_id: int | None = None,
    call_sid: str = "",
) -> Callback:
    """Schedule a callback. Enqueued after commit when already due; the sweep catches the rest.

    Asked for by a phone call (`call_sid`), it is made once per call: asking again from the
    same call (a webhook retried or replayed) returns the callback already made.
    """
    number = normalise_phone(phone or (referral.mobile if referral else ""))
    if not number:
        raise ValueError("A callback needs a phone number")
    if call_sid and (existing := Callback.objects.filter(requested_by_call_sid=call_sid).first()):
        return existing
    due = due_at or timezone.now()
    try:
        with transaction.atomic():
            callback = Callback.objects.create(
                referral=referral,
                phone=number,
                phone_index=phone_index(number),
                reason=reason,
                window_start=due,
                window_end=window_end,
                due_at=due,
                voicemail_allowed=bool(referral and referral.voicemail_ok),
                created_by_id=created_by_id,
                requested_by_call_sid=call_sid,
            )
    except IntegrityError:
        if not call_sid:
            raise
        # The same call's request, made at the same moment by another process.
        return Callback.objects.get(requested_by_call_sid=call_sid)
    audit_record(
        action=Action.CREATE,
        obj=callback,
        subject_id=referral.user_id if referral else None,
        detail=f"callback requested ({reason})",
    )
    if due <= timezone.now():
        transaction.on_commit(lambda: enqueue_callback(callback.pk))
    return callback


def enqueue_callback(callback_id: int) -> None:
    from ..tasks import place_callback

    try:
        place_callback.delay(callback_id)
    except Exception:  # noqa: BLE001 - broker down: the per-minute sweep will enqueue it
        logger.warning("Broker unavailable; callback %s left for the sweep", callback_id)


def _url(name: str, attempt: CallbackAttempt) -> str:
    return settings.PUBLIC_URL + reverse(name, kwargs={"token": attempt.token})


def callback_place_call(*, callback_id: int) -> str:
    """Start the next attempt if the callback is due. Safe to run twice: the row is locked."""
    with transaction.atomic():
        callback = Callback.objects.select_for_update(skip_locked=True).filter(pk=callback_id).first()
        if callback is None:
            return "locked-or-missing"
        if callback.status != CallbackStatus.SCHEDULED:
            return callback.status
        if callback.due_at > timezone.now():
            return "not-due"
        callback.attempts += 1
        callback.status = CallbackStatus.IN_PROGRESS
        callback.save(update_fields=["attempts", "status"])
        attempt = CallbackAttempt.objects.create(callback=callback, number=callback.attempts)
        # Each attempt rings the next helpline line in turn, so one unattended line (a handler
        # on another call, or away) cannot use up every attempt of a callback.
        lines = settings.HELPLINE_FORWARD_NUMBERS
        handler_number = lines[(attempt.number - 1) % len(lines)]
        try:
            call = twilio_client().calls.create(
                to=handler_number,
                from_=settings.TWILIO_FROM_NUMBER,
                url=_url("triage:voice_callback_connect", attempt),
                status_callback=_url("triage:voice_callback_status", attempt),
                timeout=30,
            )
        except (TwilioRestException, OSError) as exc:
            logger.warning(
                "Callback %s attempt %s could not be placed (%s)", callback.pk, attempt.number, error_kind(exc)
            )
            _finish_attempt(callback, attempt, AttemptOutcome.FAILED)
            return "failed-to-place"
        attempt.twilio_call_sid = call.sid or ""
        attempt.save(update_fields=["twilio_call_sid"])
        return "dialling"


def _after_closing(callback: Callback) -> CallbackStatus | None:
    """What an unanswered call becomes when its referral is closed before care: none is tried again.

    Closed while it rang: cancelled. Arranged after the closing (the one safety call to someone
    at risk who stopped): failed, so the helpline sees that it did not reach them.
    """
    if callback.referral_id is None:
        return None
    closed_at = (
        Referral.objects.filter(pk=callback.referral_id, status=Status.CLOSED)
        .values_list("closed_at", flat=True)
        .first()
    )
    if closed_at is None:
        return None
    return CallbackStatus.FAILED if closed_at <= callback.created_at else CallbackStatus.CANCELLED


def _finish_attempt(callback: Callback, attempt: CallbackAttempt, outcome: AttemptOutcome) -> None:
    attempt.outcome = outcome
    attempt.finished_at = timezone.now()
    attempt.save(update_fields=["outcome", "finished_at"])
    if outcome in {AttemptOutcome.ANSWERED, AttemptOutcome.VOICEMAIL_LEFT}:
        callback.status = CallbackStatus.COMPLETED
        callback.completed_at = timezone.now()
    elif callback.attempts >= settings.CALLBACK_MAX_ATTEMPTS:
        callback.status = CallbackStatus.FAILED
        callback.completed_at = timezone.now()
    elif closing := _after_closing(callback):
        # The referral is closed before care: no further attempt.
        callback.status = closing
        callback.completed_at = timezone.now()
    else:
        callback.status = CallbackStatus.SCHEDULED
        callback.due_at = timezone.now() + timedelta(minutes=settings.CALLBACK_RETRY_MINUTES)
    callback.save(update_fields=["status", "due_at", "completed_at"])


def attempt_for_token(token: str) -> CallbackAttempt | None:
    return CallbackAttempt.objects.select_related("callback").filter(token=token).first()


def attempt_record_result(*, token: str, outcome: AttemptOutcome) -> CallbackAttempt | None:
    """Record how an attempt ended (once: later reports for a finished attempt are ignored)."""
    with transaction.atomic():
        attempt = CallbackAttempt.objects.select_for_update().select_related("callback").filter(token=token).first()
        if attempt is None or attempt.outcome != AttemptOutcome.DIALLING:
            return attempt
        callback = Callback.objects.select_for_update().get(pk=attempt.callback_id)
        _finish_attempt(callback, attempt, outcome)
        return attempt


def callbacks_sweep(*, limit: int = 200) -> int:
    ids = list(Callback.objects.due().values_list("pk", flat=True)[:limit])
    for callback_id in ids:
        enqueue_callback(callback_id)
    return len(ids)
