"""What the helpline does when another app tells it something changed."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from referrals.models import Referral
from referrals.signals import referral_closed

from .models import Callback, CallbackStatus
from .services.ownership import ownership_end


@receiver(referral_closed, dispatch_uid="triage.callbacks_cancel")
def callbacks_cancel(sender: type, referral: Referral, **kwargs: Any) -> None:
    """A referral closed before care: its callbacks still to come are cancelled, in the same
    transaction. One already ringing finishes; nothing is placed after it."""
    Callback.objects.filter(referral=referral, status=CallbackStatus.SCHEDULED).update(
        status=CallbackStatus.CANCELLED, completed_at=timezone.now()
    )


@receiver(referral_closed, dispatch_uid="triage.ownership_end")
def ownership_release(sender: type, referral: Referral, **kwargs: Any) -> None:
    """A closed referral is no longer being worked: it leaves the handler's "My referrals"."""
    ownership_end(referral=referral)
