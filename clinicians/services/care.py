"""Care episodes (assignment and discharge), session notes and outcome measures."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.notifications.services import notify
from referrals.models import Referral
from referrals.services import ReferralTransitionError, referral_mark_assigned, referral_mark_discharged
from selfhelp.questionnaires import score

from ..models import (
    Appointment,
    AppointmentStatus,
    CareEpisode,
    Clinician,
    DischargeReason,
    FollowUpTask,
    Handover,
    HandoverFacts,
    OutcomeMeasure,
    ReferredOnTo,
    SessionNote,
)
from .booking import BookingError, appointment_cancel_by_service
from .messages import contact_for

OUTCOME_MEASURES = ("PHQ-9", "GAD-7")


class CareError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def episode_start(
    *, referral_id: int, clinician_id: int, started_by: User | None, handover: HandoverFacts | None = None
) -> CareEpisode:
    """Put a referral in a clinician's care (the triage app's assignment step).

    Refuses a referral already with a clinician or finished, and an inactive clinician. Marks the
    referral as assigned, keeps the helpline's handover if there is one (an episode started
    in the admin has none), and writes an audit row.
    """
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        clinician = Clinician.objects.get(pk=clinician_id)
        if not clinician.active:
            raise CareError("This clinician is not taking on patients.")
        try:
            with transaction.atomic():
                episode = CareEpisode.objects.create(referral=referral, clinician=clinician, started_by=started_by)
        except IntegrityError as exc:
            raise CareError("This referral is already with a clinician.") from exc
        try:
            referral_mark_assigned(referral=referral)
        except ReferralTransitionError as exc:
            raise CareError(str(exc)) from exc
        if handover is not None:
            _handover_write(episode, handover)
        audit_record(action=Action.CREATE, obj=episode, subject_id=referral.user_id, detail="care episode started")
        return episode


def handover_update(*, episode_id: int, handover: HandoverFacts) -> Handover:
    """Replace an active episode's handover with newer facts from the helpline (a triage
    recorded after assignment: a call where the risk changed, say). Audited."""
    with transaction.atomic():
        episode = CareEpisode.objects.select_for_update().select_related("referral").get(pk=episode_id)
        if not episode.is_active:
            raise CareError("This person has already been discharged.")
        written = _handover_write(episode, handover)
        audit_record(action=Action.UPDATE, obj=episode, subject_id=episode.referral.user_id, detail="handover updated")
        return written


def _handover_write(episode: CareEpisode, handover: HandoverFacts) -> Handover:
    written, _ = Handover.objects.update_or_create(
        episode=episode,
        defaults={"facts": handover.to_json(), "high_risk": handover.high_risk, "written_at": timezone.now()},
    )
    return written


def discharge_risk_reasons(episode: CareEpisode) -> list[str]:
    """Why this person counts as high risk at discharge (empty if they do not): the helpline's
    handover found high or immediate risk, or they scored above 0 on PHQ-9 question 9 at their
    last PHQ-9."""
    reasons = []
    if Handover.objects.filter(episode=episode, high_risk=True).exists():
        reasons.append("The helpline's handover found high risk.")
    last_phq = (
        OutcomeMeasure.objects.filter(episode=episode, measure="PHQ-9")
        .order_by("-recorded_at", "-id")
        .values_list("urgent", flat=True)
        .first()
    )
    if last_phq:
        reasons.append('They answered PHQ-9 question 9 above "Not at all" at their last scores.')
    return reasons


def last_session_scores(episode: CareEpisode) -> tuple[Appointment | None, dict[str, OutcomeMeasure]]:
    """The last attended appointment and its PHQ-9 and GAD-7 (by measure), if any."""
    last = (
        Appointment.objects.filter(episode=episode, status=AppointmentStatus.ATTENDED)
        .select_related("slot")
        .order_by("-slot__start", "-pk")
        .first()
    )
    if last is None:
        return None, {}
    return last, {outcome.measure: outcome for outcome in OutcomeMeasure.objects.filter(appointment=last)}


def episode_discharge(
    *,
    episode_id: int,
    reason: str,
    note: str,
    by: User,
    referred_on_to: str = "",
    referred_on_name: str = "",
    final_scores_missing_reason: str = "",
    risk_plan_confirmed: bool = False,
    risk_plan_note: str = "",
) -> CareEpisode:
    """End an episode with a reason, where care goes next and a summary (`note`, encrypted).

    Guarantees: a person at high risk (see discharge_risk_reasons) is not discharged unless the
    clinician confirms the risk plan and says why it is safe (CareError otherwise); "another
    service" needs its name. Upcoming appointments are cancelled by the service and their times
    offered to others, without the usual "arrange another time" message: the practitioner gets
    one discreet message saying their appointments have finished and how to come back. Open
    follow-up tasks are closed, the referral is marked discharged, and an audit row written.
    """
    if reason not in DischargeReason.values:
        raise CareError("Choose a reason for discharge.")
    if referred_on_to and referred_on_to not in ReferredOnTo.values:
        raise CareError("Choose where they have been referred on to.")
    referred_on_name = referred_on_name.strip()
    if referred_on_to == ReferredOnTo.OTHER and not referred_on_name:
        raise CareError("Enter the name of the service they have been referred on to.")
    if referred_on_to != ReferredOnTo.OTHER:
        referred_on_name = ""
    risk_plan_note = risk_plan_note.strip()
    with transaction.atomic():
        episode = CareEpisode.objects.select_for_update(of=("self",)).select_related("referral").get(pk=episode_id)
        if not episode.is_active:
            raise CareError("This person has already been discharged.")
        if discharge_risk_reasons(episode) and not (risk_plan_confirmed and risk_plan_note):
            raise CareError("This person is at high risk: confirm their risk plan and say why discharge is safe.")
        upcoming = Appointment.objects.filter(
            episode=episode, status=AppointmentStatus.BOOKED, slot__start__gt=timezone.now()
        ).values_list("pk", flat=True)
        cancelled = 0
        for appointment_id in list(upcoming):
            try:
                appointment_cancel_by_service(
                    appointment_id=appointment_id, by=by, reason="Discharged", reopen_slot=True, tell_practitioner=False
                )
            except BookingError:
                continue  # started in the meantime: nothing to cancel
            cancelled += 1
        episode.ended_at = timezone.now()
        episode.discharge_reason = reason
        episode.discharge_note = note
        episode.discharged_by = by
        episode.referred_on_to = referred_on_to
        episode.referred_on_name = referred_on_name
        episode.final_scores_missing_reason = final_scores_missing_reason.strip()
        episode.risk_plan_confirmed = bool(risk_plan_confirmed and risk_plan_note)
        episode.risk_plan_note = risk_plan_note if episode.risk_plan_confirmed else ""
        episode.save(
            update_fields=[
                "ended_at",
                "discharge_reason",
                "discharge_note",
                "discharged_by",
                "referred_on_to",
                "referred_on_name",
                "final_scores_missing_reason",
                "risk_plan_confirmed",
                "risk_plan_note",
            ]
        )
        FollowUpTask.objects.open().filter(episode=episode).update(done_at=episode.ended_at, done_by=by)
        try:
            referral_mark_discharged(referral=episode.referral, at=episode.ended_at)
        except ReferralTransitionError as exc:
            raise CareError(str(exc)) from exc
        _notify_discharged(episode, cancelled=cancelled)
        audit_record(action=Action.UPDATE, obj=episode, subject_id=episode.referral.user_id, detail="discharged")
        return episode


def _notify_discharged(episode: CareEpisode, *, cancelled: int) -> None:
    referral = episode.referral
    channel, recipient = contact_for(referral)
    if not recipient:
        return
    notify(
        channel=channel,
        template="care_finished",
        recipient=recipient,
        context={
            "cancelled": cancelled,
            "helpline": settings.HELPLINE_NUMBER,
            "refer_url": f"{settings.PUBLIC_URL}{reverse('referrals:start')}",
        },
        idempotency_key=f"care-finished:{episode.pk}",
        subject_id=referral.user_id,
    )


def session_note_add(*, episode_id: int, author: User, body: str, appointment_id: int | None = None) -> SessionNote:
    """Append an (encrypted) note. Notes are never edited. A note about an appointment must be
    about one of this episode's that has started (attended or not) and was not cancelled."""
    body = body.strip()
    if not body:
        raise CareError("Enter the note.")
    with transaction.atomic():
        episode = CareEpisode.objects.select_related("referral").get(pk=episode_id)
        if appointment_id is not None:
            appointment = episode.appointments.select_related("slot").filter(pk=appointment_id).first()
            if appointment is None:
                raise CareError("That appointment is not part of this person's care.")
            if appointment.is_cancelled:
                raise CareError("That appointment was cancelled: write the note without choosing an appointment.")
            if appointment.slot.start > timezone.now():
                raise CareError("That appointment has not started yet: notes can be written about it once it has.")
        note = SessionNote.objects.create(episode=episode, appointment_id=appointment_id, author=author, body=body)
        audit_record(action=Action.CREATE, obj=note, subject_id=episode.referral.user_id, detail="session note")
        return note


def scores_refusal(appointment: Appointment, recorded_by: User) -> str:
    """Why scores cannot be recorded on this appointment by this person ("" if they can)."""
    if appointment.is_cancelled:
        return "This appointment was cancelled, so it has no scores."
    if appointment.status == AppointmentStatus.DID_NOT_ATTEND:
        return "They did not attend this appointment, so it has no scores."
    if recorded_by.pk == appointment.episode.referral.user_id:
        if not appointment.is_upcoming:
            return "Questionnaires are only asked for before an upcoming appointment."
        return ""
    if appointment.slot.start > timezone.now():
        return "Scores can be entered once the appointment has started."
    return ""


def _check_scores_allowed(appointment: Appointment, recorded_by: User) -> None:
    refusal = scores_refusal(appointment, recorded_by)
    if refusal:
        raise CareError(refusal)


def outcomes_record(
    *, appointment_id: int, answers: Mapping[str, Sequence[int]], recorded_by: User
) -> list[OutcomeMeasure]:
    """Score and store PHQ-9 and/or GAD-7 answers on an appointment's outcome record.

    Scoring is selfhelp.questionnaires.score: a partial or invalid set raises ValueError
    and nothing is stored. Scores belong to a session that happened: the clinician records
    them once the appointment has started, never on one that was cancelled or not attended;
    the practitioner's own answers come before an upcoming appointment (CareError otherwise). An appointment has at most one record per measure; answering
    again (the practitioner before, the clinician during) replaces it.
    """
    unknown = set(answers) - set(OUTCOME_MEASURES)
    if unknown or not answers:
        raise ValueError(f"outcome records take {OUTCOME_MEASURES}, not {sorted(unknown) or 'nothing'}")
    results = {code: score(code, list(values)) for code, values in answers.items()}
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot", "episode__referral")
            .get(pk=appointment_id)
        )
        _check_scores_allowed(appointment, recorded_by)
        stored = []
        for code, result in results.items():
            outcome, _ = OutcomeMeasure.objects.update_or_create(
                appointment=appointment,
                measure=code,
                defaults={
                    "episode_id": appointment.episode_id,
                    "answers_json": json.dumps(list(answers[code])),
                    "total": result.total,
                    "band": result.band,
                    "urgent": result.urgent,
                    "recorded_at": timezone.now(),
                    "recorded_by": recorded_by,
                },
            )
            audit_record(
                action=Action.UPDATE,
                obj=outcome,
                subject_id=appointment.episode.referral.user_id,
                detail=f"{code} scores",
            )
            stored.append(outcome)
        return stored


def follow_up_done(*, task_id: int, by: User) -> FollowUpTask:
    """Mark a follow-up task done (the clinician has made contact). Done twice is still done. Audited."""
    with transaction.atomic():
        task = FollowUpTask.objects.select_for_update(of=("self",)).select_related("episode__referral").get(pk=task_id)
        if task.done_at is None:
            task.done_at = timezone.now()
            task.done_by = by
            task.save(update_fields=["done_at", "done_by"])
            audit_record(
                action=Action.UPDATE, obj=task, subject_id=task.episode.referral.user_id, detail="follow-up done"
            )
        return task
