"""The helpline: calls, callbacks and triage assessments.

Call notes, triage notes and callers' numbers are encrypted; numbers are matched through
`phone_index` (keyed HMAC), never by plaintext.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_model_fields.fields import EncryptedCharField, EncryptedTextField

from clinicians.formatting import services_text
from clinicians.models import HandoverFacts
from referrals.models import Referral


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class CallChannel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"


class CallOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    FAILED = "failed", "Failed"
    VOICEMAIL_LEFT = "voicemail_left", "Voicemail left"
    CALLBACK_REQUESTED = "callback_requested", "Callback requested"
    ENQUIRY_ANSWERED = "enquiry_answered", "Enquiry answered"
    COMPLETED = "completed", "Completed"


class CallLog(models.Model):
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=CallChannel.choices, default=CallChannel.PHONE)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices, default=CallOutcome.COMPLETED)
    notes = EncryptedTextField(blank=True)
    caller_number = EncryptedCharField(max_length=20, blank=True)
    caller_index = models.CharField(max_length=64, blank=True)
    twilio_call_sid = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # A referral's call history, newest first.
            models.Index(fields=["referral", "-started_at"], name="call_referral_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.get_channel_display()} #{self.pk}"

    @property
    def is_anonymous_enquiry(self) -> bool:
        return self.referral_id is None


class CallbackReason(models.TextChoices):
    PRACTITIONER = "practitioner", "Asked for by the practitioner"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours caller"
    URGENT = "urgent", "Urgent: same-day call back"
    HANDLER = "handler", "Arranged by a handler"


class CallbackStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "Calling now"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "No answer after all attempts"
    CANCELLED = "cancelled", "Cancelled"


# A callback still to be made, or being made now.
OPEN_CALLBACK_STATUSES = (CallbackStatus.SCHEDULED, CallbackStatus.IN_PROGRESS)


class CallbackQuerySet(models.QuerySet["Callback"]):
    def due(self, now=None) -> CallbackQuerySet:  # type: ignore[no-untyped-def]
        return self.filter(status=CallbackStatus.SCHEDULED, due_at__lte=now or timezone.now())

    def open(self) -> CallbackQuerySet:
        return self.filter(status__in=OPEN_CALLBACK_STATUSES)


class Callback(models.Model):
    """A call the service owes someone. Placed by a task at `due_at`, retried on no answer."""

    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks")
    phone = EncryptedCharField(max_length=20)
    phone_index = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=20, choices=CallbackReason.choices)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.SCHEDULED)
    attempts = models.PositiveSmallIntegerField(default=0)
    voicemail_allowed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # The phone call that asked for it (out of hours, "press 1"), so a webhook Twilio sends
    # again, or one replayed, asks once.
    requested_by_call_sid = models.CharField(max_length=64, blank=True, default="")

    objects = CallbackQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The sweep and the dashboard: scheduled callbacks by due time.
            models.Index(fields=["status", "due_at"], name="callback_status_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by_call_sid"],
                condition=~models.Q(requested_by_call_sid=""),
                name="callback_one_per_call_sid",
            ),
        ]

    def __str__(self) -> str:
        return f"Callback #{self.pk} ({self.status})"


def _attempt_token() -> str:
    return secrets.token_urlsafe(24)


class AttemptOutcome(models.TextChoices):
    DIALLING = "dialling", "Ringing the handler"
    HANDLER_UNAVAILABLE = "handler_unavailable", "No handler answered"
    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "No answer"
    VOICEMAIL_LEFT = "voicemail_left", "Voicemail left"
    MACHINE_NO_MESSAGE = "machine_no_message", "Answerphone: no message left"
    FAILED = "failed", "Call failed"


class CallbackAttempt(models.Model):
    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempt_set")
    number = models.PositiveSmallIntegerField()
    # Twilio's webhooks for this attempt carry this random token in their URL: no ids to guess.
    token = models.CharField(max_length=64, unique=True, default=_attempt_token)
    twilio_call_sid = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices, default=AttemptOutcome.DIALLING)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["callback", "number"]
        constraints = [
            models.UniqueConstraint(fields=["callback", "number"], name="callback_attempt_unique"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of callback #{self.callback_id}"


class BankHoliday(models.Model):
    """Days the phone line treats as out of hours. Edited by service admins."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d %B %Y})"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    IMMEDIATE = "immediate", "Immediate"


# Risk that marks a referral urgent and shows in red on the clinician's caseload.
HIGH_RISK_LEVELS = frozenset({RiskLevel.HIGH, RiskLevel.IMMEDIATE})


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent: seen within 1 working day"
    SOON = "soon", "Soon"
    ROUTINE = "routine", "Routine"


class Pathway(models.TextChoices):
    PSYCHIATRY = "psychiatry", "Psychiatry"
    THERAPY = "therapy", "One-to-one therapy"
    ADDICTION = "addiction", "Addiction"
    GROUP = "group", "Group"
    SIGNPOST = "signpost", "Signpost only"


class TriageAssessment(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="assessments")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    # Service codes the practitioner needs (the clinicians app's service types).
    needs = models.JSONField(default=list)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    pathway = models.CharField(max_length=12, choices=Pathway.choices)
    notes = EncryptedTextField(blank=True)
    # For immediate risk: what was done (999 called, crisis team contacted...). Encrypted.
    immediate_action = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"Triage of referral #{self.referral_id}"

    @property
    def needs_text(self) -> str:
        """The services needed, as a handler reads them: "assessment, CBT"."""
        return services_text(self.needs)

    @property
    def high_risk(self) -> bool:
        return self.risk_level in HIGH_RISK_LEVELS

    def handover(self) -> HandoverFacts:
        """This triage in the words the clinician will read (see clinicians.Handover)."""
        return HandoverFacts(
            assessed_at=self.assessed_at,
            assessed_by=self.assessed_by.display_name,
            risk=self.get_risk_level_display(),
            high_risk=self.high_risk,
            urgency=self.get_urgency_display(),
            pathway=self.get_pathway_display(),
            services=tuple(self.needs),
            notes=self.notes,
            immediate_action=self.immediate_action,
        )


class ReferralOwnership(models.Model):
    """The handler working a referral now ("being worked by"), so two handlers do not ring the
    same person unknowingly. At most one per referral; ended by releasing it or by closing."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="ownership")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # "My referrals": a handler's referrals, longest held first.
            models.Index(fields=["handler", "taken_at"], name="ownership_handler_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral #{self.referral_id} worked by user #{self.handler_id}"
