"""Who is working a referral: a handler takes it, releases it, and sees the ones they hold."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from referrals.models import Referral

from ..models import ReferralOwnership


class OwnershipError(ValueError):
    """The referral cannot be taken or released (closed, or held by someone else)."""


def referral_take(*, referral: Referral, handler: User) -> ReferralOwnership:
    """Mark the referral as being worked by `handler`. Taking one another handler holds takes it
    over (the record showed whose it was); a finished referral cannot be taken. Audited."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().only("pk", "status", "user_id").get(pk=referral.pk)
        if not locked.is_open:
            raise OwnershipError("This referral is closed: reopen it before taking it.")
        ownership, _ = ReferralOwnership.objects.update_or_create(
            referral=locked, defaults={"handler": handler, "taken_at": timezone.now()}
        )
        audit_record(action=Action.UPDATE, obj=locked, subject_id=locked.user_id, detail="referral taken by a handler")
    return ownership


def referral_release(*, referral: Referral, handler: User) -> None:
    """Stop working the referral. Only the handler holding it releases it. Audited."""
    with transaction.atomic():
        held = ReferralOwnership.objects.select_for_update().filter(referral=referral).first()
        if held is None:
            raise OwnershipError("Nobody is working this referral.")
        if held.handler_id != handler.pk:
            raise OwnershipError("Another handler is working this referral: only they can release it.")
        held.delete()
        audit_record(action=Action.UPDATE, obj=referral, subject_id=referral.user_id, detail="referral released")


def ownership_end(*, referral: Referral) -> None:
    """A referral that closes is no longer anyone's to work."""
    ReferralOwnership.objects.filter(referral=referral).delete()
