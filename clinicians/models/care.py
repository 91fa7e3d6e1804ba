"""Care: which clinician a referral is with (the caseload), session notes and outcome measures."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_model_fields.fields import EncryptedTextField

from .network import Clinician


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Completed treatment"
    REFERRED_ON = "referred-on", "Referred on"
    DECLINED = "declined", "Declined further care"
    DID_NOT_ATTEND = "did-not-attend", "Did not attend"
    MOVED_AWAY = "moved-away", "Moved away"
    OTHER = "other", "Other"


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
