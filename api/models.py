"""Credentials for the smartphone app: sign-in challenges and bearer tokens.

Both are stored only as SHA-256 hashes of random secrets, so a copy of the database (or of
a log line holding a row) cannot be used to act as anyone. The secret is shown once.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self, now: datetime | None = None) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A bearer token for one signed-in app on one device. Revocable; expires."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        indexes = [
            # "Sign out everywhere": a user's tokens not yet revoked.
            models.Index(fields=["user", "revoked_at"], name="api_token_user_revoked_idx"),
        ]

    def __str__(self) -> str:
        return f"API token #{self.pk} for user #{self.user_id}"


class ChallengeMethod(models.TextChoices):
    EMAIL = "email", "Code sent by email"
    TOTP = "totp", "Code from an authenticator app"


class SignInChallenge(models.Model):
    """Proof that the password was right, waiting for the second factor. Short-lived, one use."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    method = models.CharField(max_length=10, choices=ChallengeMethod.choices)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in challenge #{self.pk} for user #{self.user_id}"
