"""Care: which clinician a referral is with (the caseload), session notes and outcome measures."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_model_fields.fields import EncryptedCharField, EncryptedTextField

from .network import Clinician


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Completed treatment"
    REFERRED_ON = "referred-on", "Referred on"
    DECLINED = "declined", "Declined further care"
    DID_NOT_ATTEND = "did-not-attend", "Did not attend"
    MOVED_AWAY = "moved-away", "Moved away"
    OTHER = "other", "Other"


class ReferredOnTo(models.TextChoices):
    """Where care continues after discharge: one structured answer, so the helpline and the
    commissioner's figures can say where people went."""

    GP = "gp", "Their GP"
    COMMUNITY_MENTAL_HEALTH = "cmht", "Community mental health team"
    TALKING_THERAPIES = "talking-therapies", "NHS Talking Therapies"
    ADDICTION = "addiction", "Addiction service"
    PRIVATE = "private", "Private care"
    OTHER = "other", "Another service"
    NONE = "none", "Not referred on"


# The service's policy: after this many missed appointments in a row the clinician is asked
# to contact the person or discharge them.
MISSED_IN_A_ROW_PROMPT = 2


class CareEpisodeQuerySet(models.QuerySet["CareEpisode"]):
    def active(self) -> CareEpisodeQuerySet:
        return self.filter(ended_at__isnull=True)

    def for_clinician_user(self, user_id: int) -> CareEpisodeQuerySet:
        return self.filter(clinician__user_id=user_id)

    def for_practitioner(self, user_id: int) -> CareEpisodeQuerySet:
        return self.filter(referral__user_id=user_id)


class CareEpisode(models.Model):
    """A referral in the care of one clinician, from assignment to discharge.

    The referral knows nothing of clinicians: this row is the link, and the clinician's
    active episodes are their caseload.
    """

    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="care_episodes")
    clinician = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="episodes")
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    discharge_note = EncryptedTextField(blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Blank on episodes discharged before it was asked.
    referred_on_to = models.CharField(max_length=20, choices=ReferredOnTo.choices, blank=True)
    # The other service's name, when "referred on to" is another service.
    referred_on_name = EncryptedCharField(max_length=200, blank=True)
    # Why there are no PHQ-9 and GAD-7 scores from the last session, when there are none.
    final_scores_missing_reason = EncryptedTextField(blank=True)
    # A person at high risk is discharged only once the clinician confirms the risk plan.
    risk_plan_confirmed = models.BooleanField(default=False)
    risk_plan_note = EncryptedTextField(blank=True)
    # Missed appointments since the last one attended, kept by the attendance service so that
    # the caseload reads it without going through every appointment.
    missed_in_a_row = models.PositiveSmallIntegerField(default=0)

    objects = CareEpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # A referral is with at most one clinician at a time.
            models.UniqueConstraint(
                fields=["referral"], condition=models.Q(ended_at__isnull=True), name="episode_one_open_per_referral"
            ),
            # Discharged if and only if there is a reason.
            models.CheckConstraint(
                name="episode_discharge_has_reason",
                condition=(models.Q(ended_at__isnull=True) & models.Q(discharge_reason=""))
                | (models.Q(ended_at__isnull=False) & ~models.Q(discharge_reason="")),
            ),
        ]
        indexes = [
            # The caseload: a clinician's episodes that have not ended.
            models.Index(fields=["clinician", "ended_at"], name="episode_caseload_idx"),
        ]

    def __str__(self) -> str:
        return f"Care episode #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def should_contact_or_discharge(self) -> bool:
        return self.is_active and self.missed_in_a_row >= MISSED_IN_A_ROW_PROMPT

    @property
    def referred_on_text(self) -> str:
        if self.referred_on_to == ReferredOnTo.OTHER and self.referred_on_name:
            return self.referred_on_name
        return self.get_referred_on_to_display() if self.referred_on_to else ""


@dataclass(frozen=True)
class HandoverFacts:
    """What the helpline knew about a person when it put them in a clinician's care.

    Filled in by whoever assigns (the triage app, from its latest triage): this app knows
    nothing of triage, so the words are the helpline's own, as the handler chose them.
    """

    assessed_at: datetime
    assessed_by: str
    risk: str
    # High or immediate risk: shown in red.
    high_risk: bool
    urgency: str
    pathway: str
    services: tuple[str, ...]
    notes: str = ""
    immediate_action: str = ""

    def to_json(self) -> str:
        data = asdict(self)
        data["assessed_at"] = self.assessed_at.isoformat()
        data["services"] = list(self.services)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> HandoverFacts:
        data: dict[str, Any] = json.loads(text)
        data["assessed_at"] = datetime.fromisoformat(data["assessed_at"])
        data["services"] = tuple(data.get("services") or ())
        return cls(**data)


class Handover(models.Model):
    """The helpline's handover to the clinician: written when the care episode starts, and
    replaced when the helpline records a newer triage while the episode is open.

    A copy, not a link to the triage: the clinician reads the latest the helpline passed on
    (the helpline's own record keeps every triage). Encrypted, as risk, needs and the
    handler's notes are clinical. Kept apart from the episode so that the many pages listing
    episodes never decrypt it.
    """

    episode = models.OneToOneField(CareEpisode, on_delete=models.PROTECT, related_name="handover")
    written_at = models.DateTimeField(default=timezone.now)
    facts = EncryptedTextField()
    # The one fact the caseload shows, kept in clear so that it is read without decrypting
    # every row's handover (as plain as a triage's own risk level).
    high_risk = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Handover for care episode #{self.episode_id}"

    def read(self) -> HandoverFacts:
        return HandoverFacts.from_json(self.facts)


class SessionNote(models.Model):
    """What the clinician wrote about a session. Encrypted; only the assigned clinician reads it.

    Notes are never edited: a correction is a further note, as on paper.
    """

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="notes")
    appointment = models.ForeignKey(
        "clinicians.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The notes page: one episode's notes, newest first.
            models.Index(fields=["episode", "-created_at"], name="note_episode_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Session note #{self.pk}"


class OutcomeMeasure(models.Model):
    """One completed PHQ-9 or GAD-7, scored with selfhelp.questionnaires.

    At most one of each measure per appointment: the practitioner's answers before the
    session and the clinician's during it land on the same record (the later one wins).
    """

    MEASURE_CHOICES = [("PHQ-9", "PHQ-9"), ("GAD-7", "GAD-7")]

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="outcomes")
    appointment = models.ForeignKey(
        "clinicians.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="outcomes"
    )
    measure = models.CharField(max_length=10, choices=MEASURE_CHOICES)
    answers_json = EncryptedTextField()
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=30)
    # PHQ-9 item 9 answered above "Not at all".
    urgent = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "measure"],
                condition=models.Q(appointment__isnull=False),
                name="outcome_once_per_appointment",
            ),
        ]
        indexes = [
            # Caseload columns and the chart: an episode's scores of one measure in time order.
            models.Index(fields=["episode", "measure", "recorded_at"], name="outcome_episode_measure_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.total} ({self.band})"

    @property
    def answers(self) -> list[int]:
        return [int(value) for value in json.loads(self.answers_json or "[]")]


class FollowUpKind(models.TextChoices):
    MISSED_APPOINTMENT = "missed-appointment", "Contact after a missed appointment"


class FollowUpTaskQuerySet(models.QuerySet["FollowUpTask"]):
    def open(self) -> FollowUpTaskQuerySet:
        return self.filter(done_at__isnull=True)


class FollowUpTask(models.Model):
    """Something the clinician must do for someone in their care: today, contacting a person
    who missed an appointment. Made by the service that records the miss, so none is forgotten;
    it stays on the caseload until the clinician marks it done or discharges the person."""

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="follow_ups")
    appointment = models.ForeignKey(
        "clinicians.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    kind = models.CharField(max_length=30, choices=FollowUpKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = FollowUpTaskQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Marking the same appointment missed twice makes one task, not two.
            models.UniqueConstraint(fields=["appointment", "kind"], name="follow_up_once_per_appointment"),
        ]
        indexes = [
            # The caseload and the record: an episode's open tasks.
            models.Index(fields=["episode", "done_at"], name="follow_up_episode_open_idx"),
        ]

    def __str__(self) -> str:
        return f"Follow-up #{self.pk} ({self.kind})"

    @property
    def is_open(self) -> bool:
        return self.done_at is None
