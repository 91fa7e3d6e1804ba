"""The phone line: what happens when someone calls, in hours and out of hours."""

from __future__ import annotations

from django.db import transaction

from practitioner_health.crypto import normalise_phone, phone_index
from referrals.models import Referral

from ..models import CallChannel, CallLog, CallOutcome, Direction


def referral_for_number(number: str) -> Referral | None:
    """The most recent open referral whose mobile matches, if any."""
    if not number:
        return None
    return Referral.objects.open().filter(mobile_index=phone_index(number)).order_by("-submitted_at").first()


def inbound_call_log(*, call_sid: str, from_number: str) -> CallLog:
    """Log an incoming call once per CallSid (Twilio may retry a webhook)."""
    with transaction.atomic():
        call, _created = CallLog.objects.get_or_create(
            twilio_call_sid=call_sid,
            defaults={
                "direction": Direction.INBOUND,
                "channel": CallChannel.PHONE,
                "outcome": CallOutcome.IN_PROGRESS,
                "caller_number": normalise_phone(from_number),
                "caller_index": phone_index(from_number) if from_number else "",
                "referral": referral_for_number(from_number),
            },
        )
    return call


TWILIO_STATUS_OUTCOMES = {
    "completed": CallOutcome.COMPLETED,
    "busy": CallOutcome.BUSY,
    "no-answer": CallOutcome.NO_ANSWER,
    "failed": CallOutcome.FAILED,
    "canceled": CallOutcome.NO_ANSWER,
}


def call_status_update(*, call_sid: str, status: str, duration: str | None) -> bool:
    outcome = TWILIO_STATUS_OUTCOMES.get(status)
    if outcome is None:
        return False
    fields: dict[str, object] = {}
    call = CallLog.objects.filter(twilio_call_sid=call_sid).first()
    if call is None:
        return False
    if call.outcome in {CallOutcome.IN_PROGRESS, CallOutcome.ANSWERED}:
        fields["outcome"] = CallOutcome.ANSWERED if status == "completed" else outcome
    if duration and duration.isdigit():
        fields["duration_seconds"] = int(duration)
    if fields:
        CallLog.objects.filter(pk=call.pk).update(**fields)
    return True
