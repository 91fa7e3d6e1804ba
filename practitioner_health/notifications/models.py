from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_model_fields.fields import EncryptedCharField, EncryptedTextField


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    VOICE = "voice", "Voice call"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def due(self, now: Any = None) -> NotificationQuerySet:
        return self.filter(status=Status.PENDING, next_attempt_at__lte=now or timezone.now())

    def unhanded(self, *, handed_before: Any) -> NotificationQuerySet:
        """Not handed to the broker, or handed over before `handed_before` and still not sent."""
        return self.filter(models.Q(handed_at__isnull=True) | models.Q(handed_at__lte=handed_before))

    def failed(self) -> NotificationQuerySet:
        return self.filter(status=Status.FAILED)


class Notification(models.Model):
    """A message to send, written in the same transaction as the change that caused it.

    The recipient and the template context (which may hold a link or a time) are encrypted;
    the row is what makes delivery survive a broker or worker outage.
    """

    channel = models.CharField(max_length=10, choices=Channel.choices)
    template = models.CharField(max_length=80)
    recipient = EncryptedCharField(max_length=320)
    context_json = EncryptedTextField(default="{}")
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a send task for it was last handed to the broker (for a retry: when that task is
    # due to run); empty when none was, or the hand-over failed. The sweep leaves a row
    # handed over recently to the task already queued for it.
    handed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    # A provider error code or exception class name: never the message or the recipient.
    last_error = models.CharField(max_length=120, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        indexes = [
            # The sweep: pending rows whose next attempt is due.
            models.Index(fields=["status", "next_attempt_at"], name="notif_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} #{self.pk} ({self.status})"

    @property
    def context(self) -> dict[str, Any]:
        return json.loads(self.context_json or "{}")
