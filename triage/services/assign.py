"""Assigning a triaged referral to a clinician (and optionally booking the first appointment)."""

from __future__ import annotations

from django.db import transaction

from clinicians.models import CareEpisode, Clinician, HandoverFacts
from clinicians.services.booking import appointment_book
from clinicians.services.care import episode_start
from practitioner_health.accounts.models import User
from practitioner_health.notifications.models import Channel
from practitioner_health.notifications.services import notify
from referrals.models import Referral

from ..models import RiskLevel, TriageAssessment


def referral_assign(*, referral: Referral, clinician_id: int, handler: User, slot_id: int | None = None) -> CareEpisode:
    """Start the care episode with the latest triage as its handover, book the first slot if
    one was chosen, and tell the clinician.

    The clinician's message names no one: it says a person has been assigned and to sign in.
    Raises CareError / BookingError / SlotTakenError from the clinicians app unchanged, and
    then nothing is saved.
    """
    with transaction.atomic():
        episode = episode_start(
            referral_id=referral.pk,
            clinician_id=clinician_id,
            started_by=handler,
            handover=handover_for(referral),
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


def handover_for(referral: Referral) -> HandoverFacts | None:
    """The latest triage of `referral`, in the words the clinician will read; None if never triaged."""
    assessment = TriageAssessment.objects.filter(referral=referral).select_related("assessed_by").first()
    if assessment is None:
        return None
    return HandoverFacts(
        assessed_at=assessment.assessed_at,
        assessed_by=assessment.assessed_by.display_name,
        risk=assessment.get_risk_level_display(),
        high_risk=assessment.risk_level in (RiskLevel.HIGH, RiskLevel.IMMEDIATE),
        urgency=assessment.get_urgency_display(),
        pathway=assessment.get_pathway_display(),
        services=tuple(assessment.needs),
        notes=assessment.notes,
        immediate_action=assessment.immediate_action,
    )
