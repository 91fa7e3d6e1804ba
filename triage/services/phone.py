"""The phone line: what happens when someone calls, in hours and out of hours."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from practitioner_health.crypto import normalise_phone, phone_index
from referrals.models import Referral

from ..hours import is_open, next_opening, parse_hours
from ..models import BankHoliday, CallChannel, CallLog, CallOutcome, Direction


def helpline_open(moment: datetime | None = None) -> bool:
    moment = moment or timezone.now()
    holidays = set(BankHoliday.objects.values_list("date", flat=True))
    return is_open(moment, parse_hours(settings.HELPLINE_OPENING_HOURS), holidays)


def helpline_next_opening(moment: datetime | None = None) -> datetime:
    moment = moment or timezone.now()
    holidays = set(BankHoliday.objects.values_list("date", flat=True))
    return next_opening(moment, parse_hours(settings.HELPLINE_OPENING_HOURS), holidays)


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
