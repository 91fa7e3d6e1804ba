"""The NHS Friends and Family Test (FFT): offered after the first attended appointment and at
discharge, answered without the person's identity.

Three tables, deliberately unjoinable:

- `FeedbackOffer` says an episode was offered the test at a stage (so it is offered once, and
  the practitioner's pages can show the link). It never records whether it was answered.
- `FeedbackTokenUse` holds one keyed hash per (episode, stage) that has been answered, so a
  link works once. No time, no id sequence (the hash is the key), nothing of the answer.
- `FeedbackResponse` is the answer: the rating, the free text (encrypted), the stage, the month
  it was given, and the region and profession reporting needs. No user, no episode, no exact
  time, and a random key, so its order of insertion says nothing either.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from encrypted_model_fields.fields import EncryptedTextField

from .care import CareEpisode


class FeedbackStage(models.TextChoices):
    FIRST_APPOINTMENT = "first-appointment", "After the first appointment"
    DISCHARGE = "discharge", "At discharge"


class FeedbackRating(models.TextChoices):
    """The FFT's six answers, in the order NHS England asks them."""

    VERY_GOOD = "very-good", "Very good"
    GOOD = "good", "Good"
    NEITHER = "neither", "Neither good nor poor"
    POOR = "poor", "Poor"
    VERY_POOR = "very-poor", "Very poor"
    DONT_KNOW = "dont-know", "Don't know"


POSITIVE_RATINGS = (FeedbackRating.VERY_GOOD, FeedbackRating.GOOD)
NEGATIVE_RATINGS = (FeedbackRating.POOR, FeedbackRating.VERY_POOR)


class FeedbackOffer(models.Model):
    """An episode was offered the test at this stage (once)."""

    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="feedback_offers")
    stage = models.CharField(max_length=20, choices=FeedbackStage.choices)
    offered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "stage"], name="feedback_offer_once_per_stage"),
        ]

    def __str__(self) -> str:
        return f"Feedback offer #{self.pk}"


class FeedbackTokenUse(models.Model):
    """A (episode, stage) whose link has been used: its keyed hash only, and nothing else."""

    digest = models.CharField(max_length=64, primary_key=True)

    def __str__(self) -> str:
        return "Used feedback link"


class FeedbackResponse(models.Model):
    """One FFT answer, with no way back to who gave it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    stage = models.CharField(max_length=20, choices=FeedbackStage.choices)
    month = models.DateField(help_text="First day of the month the answer was given.")
    region = models.CharField(max_length=30, blank=True)
    profession = models.CharField(max_length=10, blank=True)
    rating = models.CharField(max_length=10, choices=FeedbackRating.choices)
    comment = EncryptedTextField(blank=True)
    # The comment is encrypted, so whether there is one is kept beside it for the review page.
    has_comment = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Counting a month's answers for the reporting facts; the admin's comments page by month.
            models.Index(fields=["month"], name="feedback_response_month_idx"),
        ]

    def __str__(self) -> str:
        return "Feedback response"
