"""What handlers record: calls, triage assessments and eligibility decisions."""

from __future__ import annotations

import json

from django.db import transaction

from clinicians.selectors import open_episode_for_referral
from clinicians.services.care import handover_update
from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.notifications.models import Channel
from practitioner_health.notifications.services import notify
from referrals.models import ClosedReason, Eligibility, EligibilityDecision, Referral
from referrals.services import referral_close, referral_mark_contacted, referral_mark_triaged

from ..models import HIGH_RISK_LEVELS, CallChannel, CallLog, CallOutcome, Direction, RiskLevel, TriageAssessment

REACHED = {CallOutcome.ANSWERED, CallOutcome.ENQUIRY_ANSWERED, CallOutcome.COMPLETED}


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
            referral_mark_contacted(referral=referral)
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
        # First, so a finished referral is refused (ReferralTransitionError) before anything is written.
        referral_mark_triaged(referral=referral, high_risk=risk_level in HIGH_RISK_LEVELS)
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
    """A handler's decision on a referral that needed review.

    Not eligible closes the referral through `referral_close` (so its callbacks are cancelled);
    one already with a clinician cannot be closed that way (ReferralNotClosableError, nothing saved).
    """
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
        referral.save(update_fields=["eligibility"])
        audit_record(action=Action.UPDATE, obj=referral, subject_id=referral.user_id, detail="eligibility decided")
        if decision == Eligibility.INELIGIBLE:
            referral_close(referral=referral, reason=ClosedReason.INELIGIBLE, closed_by=decided_by)
    return record
