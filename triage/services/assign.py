"""Assigning a triaged referral to a clinician (and optionally booking the first appointment)."""

from __future__ import annotations

from django.db import transaction

from clinicians.models import CareEpisode, Clinician
from clinicians.services.booking import appointment_book
from clinicians.services.care import episode_start
from practitioner_health.accounts.models import User
from practitioner_health.notifications.models import Channel
from practitioner_health.notifications.services import notify
from referrals.models import Referral

from ..models import TriageAssessment


def referral_assign(*, referral: Referral, clinician_id: int, handler: User, slot_id: int | None = None) -> CareEpisode:
    """Start the care episode with the latest triage as its handover, book the first slot if
    one was chosen, and tell the clinician.

    The clinician's message names no one: it says a person has been assigned and to sign in.
    Raises CareError / BookingError / SlotTakenError from the clinicians app unchanged, and
    then nothing is saved.
    """
    latest = TriageAssessment.objects.filter(referral=referral).select_related("assessed_by").first()
    with transaction.atomic():
        episode = episode_start(
            referral_id=referral.pk,
            clinician_id=clinician_id,
            started_by=handler,
            handover=latest.handover() if latest else None,
        )
        if slot_id is not None:
            appointment_book(slot_id=slot_id, episode_id=episode.pk, booked_by=handler)
        clinician = Clinician.objects.select_related("user").get(pk=clinician_id)
        notify(
            channel=Channel.EMAIL,
            template="clinician_assigned",
            recipient=clinician.user.email,
            context={},
            idempotency_key=f"clinician-assigned:{episode.pk}",
            subject_id=clinician.user_id,
        )
    return episode
