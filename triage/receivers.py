"""What the helpline does when another app tells it something changed."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from practitioner_health.hours import call_promise
from referrals.models import ClosedReason, Referral
from referrals.signals import referral_closed

from .models import Callback, CallbackReason, CallbackStatus
from .services.callbacks import callback_request
from .services.ownership import ownership_end


@receiver(referral_closed, dispatch_uid="triage.callbacks_cancel")
def callbacks_cancel(sender: type, referral: Referral, **kwargs: Any) -> None:
    """A referral closed before care: its callbacks still to come are cancelled, in the same
    transaction. One already ringing finishes; nothing is placed after it.

    Someone at risk who stops their referral gets exactly one safety call instead, in the
    urgent queue: at once when the helpline is open, else when it opens. It is tried once
    (see `_finish_attempt`), and no message is sent.
    """
    Callback.objects.filter(referral=referral, status=CallbackStatus.SCHEDULED).update(
        status=CallbackStatus.CANCELLED, completed_at=timezone.now()
    )
    if referral.closed_reason == ClosedReason.WITHDRAWN and referral.safety_call_on_stop and referral.mobile:
        callback_request(reason=CallbackReason.URGENT, referral=referral, due_at=call_promise().call_from)


@receiver(referral_closed, dispatch_uid="triage.ownership_end")
def ownership_release(sender: type, referral: Referral, **kwargs: Any) -> None:
    """A closed referral is no longer being worked: it leaves the handler's "My referrals"."""
    ownership_end(referral=referral)
