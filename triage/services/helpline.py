"""What handlers record: calls, triage assessments and eligibility decisions."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils import timezone

from clinicians.selectors import open_episode_for_referral
from clinicians.services.care import handover_update
from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.notifications.models import Channel
from practitioner_health.notifications.services import notify
from referrals.models import ClosedReason, Eligibility, EligibilityDecision, Referral, Status

from ..models import HIGH_RISK_LEVELS, CallChannel, CallLog, CallOutcome, Direction, RiskLevel, TriageAssessment

REACHED = {CallOutcome.ANSWERED, CallOutcome.ENQUIRY_ANSWERED, CallOutcome.COMPLETED}


def _mark_contacted(referral: Referral) -> None:
    fields = []
    if referral.first_contact_at is None:
        referral.first_contact_at = timezone.now()
        fields.append("first_contact_at")
    if referral.status == Status.NEW:
        referral.status = Status.CONTACTED
        fields.append("status")
    if fields:
        referral.save(update_fields=fields)


def call_log_record(
    *,
    handler: User,
    referral: Referral | None,
    direction: Direction | str,
    channel: CallChannel | str,
    outcome: CallOutcome | str,
    notes: str,
    duration_seconds: int | None = None,
) -> CallLog:
    """Log a call, email or visit. Reaching the practitioner counts as first contact."""
    with transaction.atomic():
        call = CallLog.objects.create(
            referral=referral,
            handler=handler,
            direction=direction,
            channel=channel,
            outcome=outcome,
            notes=notes,
            duration_seconds=duration_seconds,
        )
        if referral is not None and outcome in REACHED:
            _mark_contacted(referral)
        audit_record(
            action=Action.CREATE, obj=call, subject_id=referral.user_id if referral else None, detail="call logged"
        )
    return call


class ImmediateRiskWithoutActionError(ValueError):
    """Immediate risk recorded without the action taken: the crisis procedure is not optional."""


def triage_assessment_record(
    *,
    referral: Referral,
    assessed_by: User,
    risk_level: RiskLevel | str,
    needs: list[str],
    urgency: str,
    pathway: str,
    notes: str,
    immediate_action: str = "",
) -> TriageAssessment:
    """Store a triage assessment and move the referral on. Immediate risk needs an action taken.

    Someone already with a clinician: the clinician's handover becomes this triage, and they
    are emailed (discreetly) to read it.
    """
    if risk_level == RiskLevel.IMMEDIATE and not immediate_action.strip():
        raise ImmediateRiskWithoutActionError("Record the action you took for immediate risk")
    with transaction.atomic():
        assessment = TriageAssessment.objects.create(
            referral=referral,
            assessed_by=assessed_by,
            risk_level=risk_level,
            needs=needs,
            urgency=urgency,
            pathway=pathway,
            notes=notes,
            immediate_action=immediate_action,
        )
        _mark_contacted(referral)
        if referral.status in {Status.NEW, Status.CONTACTED}:
            referral.status = Status.TRIAGED
            referral.save(update_fields=["status"])
        if risk_level in HIGH_RISK_LEVELS and not referral.urgent:
            referral.urgent = True
            referral.save(update_fields=["urgent"])
        audit_record(action=Action.CREATE, obj=assessment, subject_id=referral.user_id, detail="triage assessment")
        _handover_refresh(assessment)
    return assessment


def _handover_refresh(assessment: TriageAssessment) -> None:
    """A triage of someone already with a clinician goes to that clinician too, as their
    handover, with a discreet email to sign in and read it."""
    episode = open_episode_for_referral(assessment.referral_id)
    if episode is None:
        return
    written = handover_update(episode_id=episode.pk, handover=assessment.handover())
    notify(
        channel=Channel.EMAIL,
        template="handover_updated",
        recipient=episode.clinician.user.email,
        context={},
        idempotency_key=f"handover-updated:{episode.pk}:{written.written_at.isoformat()}",
        subject_id=episode.clinician.user_id,
    )


def eligibility_decision_record(
    *, referral: Referral, decided_by: User, decision: str, reason: str
) -> EligibilityDecision:
    """A handler's decision on a referral that needed review."""
    if decision not in {Eligibility.ELIGIBLE, Eligibility.INELIGIBLE}:
        raise ValueError("A handler decides eligible or not eligible")
    with transaction.atomic():
        record = EligibilityDecision.objects.create(
            referral=referral,
            decision=decision,
            reasons=[reason],
            register_snapshot=json.dumps({"reviewed_by_handler": True}),
            decided_by=decided_by,
        )
        referral.eligibility = decision
        fields = ["eligibility"]
        if decision == Eligibility.INELIGIBLE:
            referral.status = Status.CLOSED
            referral.closed_at = timezone.now()
            referral.closed_reason = ClosedReason.INELIGIBLE
            fields += ["status", "closed_at", "closed_reason"]
        referral.save(update_fields=fields)
        audit_record(action=Action.UPDATE, obj=referral, subject_id=referral.user_id, detail="eligibility decided")
    return record
