"""Care episodes (assignment and discharge), session notes and outcome measures."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from referrals.models import Referral
from referrals.services import ReferralTransitionError, referral_mark_assigned, referral_mark_discharged
from selfhelp.questionnaires import score

from ..models import (
    Appointment,
    AppointmentStatus,
    CareEpisode,
    Clinician,
    DischargeReason,
    Handover,
    HandoverFacts,
    OutcomeMeasure,
    SessionNote,
)
from .booking import BookingError, appointment_cancel_by_service

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


def episode_discharge(*, episode_id: int, reason: str, note: str, by: User) -> CareEpisode:
    """End an episode with a reason. Upcoming appointments are cancelled by the service (the
    practitioner gets the usual discreet message) and their times offered to others; the
    referral is marked discharged."""
    if reason not in DischargeReason.values:
        raise CareError("Choose a reason for discharge.")
    with transaction.atomic():
        episode = CareEpisode.objects.select_for_update(of=("self",)).select_related("referral").get(pk=episode_id)
        if not episode.is_active:
            raise CareError("This person has already been discharged.")
        upcoming = Appointment.objects.filter(
            episode=episode, status=AppointmentStatus.BOOKED, slot__start__gt=timezone.now()
        ).values_list("pk", flat=True)
        for appointment_id in list(upcoming):
            try:
                appointment_cancel_by_service(
                    appointment_id=appointment_id, by=by, reason="Discharged", reopen_slot=True
                )
            except BookingError:
                continue  # started in the meantime: nothing to cancel
        episode.ended_at = timezone.now()
        episode.discharge_reason = reason
        episode.discharge_note = note
        episode.discharged_by = by
        episode.save(update_fields=["ended_at", "discharge_reason", "discharge_note", "discharged_by"])
        try:
            referral_mark_discharged(referral=episode.referral, at=episode.ended_at)
        except ReferralTransitionError as exc:
            raise CareError(str(exc)) from exc
        audit_record(action=Action.UPDATE, obj=episode, subject_id=episode.referral.user_id, detail="discharged")
        return episode


def session_note_add(*, episode_id: int, author: User, body: str, appointment_id: int | None = None) -> SessionNote:
    """Append an (encrypted) note. Notes are never edited; the appointment must be this episode's."""
    body = body.strip()
    if not body:
        raise CareError("Enter the note.")
    with transaction.atomic():
        episode = CareEpisode.objects.select_related("referral").get(pk=episode_id)
        if appointment_id is not None and not episode.appointments.filter(pk=appointment_id).exists():
            raise CareError("That appointment is not part of this person's care.")
        note = SessionNote.objects.create(episode=episode, appointment_id=appointment_id, author=author, body=body)
        audit_record(action=Action.CREATE, obj=note, subject_id=episode.referral.user_id, detail="session note")
        return note


def outcomes_record(
    *, appointment_id: int, answers: Mapping[str, Sequence[int]], recorded_by: User
) -> list[OutcomeMeasure]:
    """Score and store PHQ-9 and/or GAD-7 answers on an appointment's outcome record.

    Scoring is selfhelp.questionnaires.score: a partial or invalid set raises ValueError
    and nothing is stored. An appointment has at most one record per measure; answering
    again (the practitioner before, the clinician during) replaces it.
    """
    unknown = set(answers) - set(OUTCOME_MEASURES)
    if unknown or not answers:
        raise ValueError(f"outcome records take {OUTCOME_MEASURES}, not {sorted(unknown) or 'nothing'}")
    results = {code: score(code, list(values)) for code, values in answers.items()}
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("episode__referral")
            .get(pk=appointment_id)
        )
        if appointment.is_cancelled:
            raise CareError("This appointment was cancelled.")
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
