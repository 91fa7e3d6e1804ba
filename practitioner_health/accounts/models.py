from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from encrypted_model_fields.fields import EncryptedCharField, EncryptedEmailField

from practitioner_health.crypto import email_index, normalise_email


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    HANDLER = "handler", "Helpline handler"
    CLINICIAN = "clinician", "Clinician"
    COMMISSIONER = "commissioner", "Commissioner"
    SERVICE_ADMIN = "service_admin", "Service administrator"


STAFF_ROLES = frozenset({Role.HANDLER, Role.CLINICIAN, Role.COMMISSIONER, Role.SERVICE_ADMIN})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        # Login forms pass the email; the column holds only its keyed hash.
        return self.get(email_index=email_index(username or ""))

    def get_by_email(self, email: str) -> User | None:
        return self.filter(email_index=email_index(email)).first()

    def create_user(self, email: str, password: str | None = None, *, role: str, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=normalise_email(email), role=role, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, role=Role.SERVICE_ADMIN, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Exactly one role; the email is encrypted and found by its hash."""

    email = EncryptedEmailField()
    email_index = models.CharField(max_length=64, unique=True, editable=False)
    full_name = EncryptedCharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email_index"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="accounts_user_superuser_is_admin",
                condition=models.Q(is_superuser=False) | models.Q(role="service_admin"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email or "")
        self.email_index = email_index(self.email)
        super().save(*args, **kwargs)

    @property
    def is_staff(self) -> bool:  # type: ignore[override]
        # Only service administrators reach the Django admin.
        return self.role == Role.SERVICE_ADMIN

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_role_display()

    def is_verified(self) -> bool:
        # django-otp's middleware replaces this per request with the real check of the
        # session's device; outside a request (tasks, shells) nobody counts as verified.
        return False

    def get_short_name(self) -> str:
        # The admin greets people by this; the username field is only a hash.
        return self.display_name

    def get_full_name(self) -> str:
        return self.display_name


class KeyCanary(models.Model):
    """One encrypted known value, so a wrong FIELD_ENCRYPTION_KEY fails loudly at start-up."""

    KNOWN_VALUE = "practitioner-health-key-canary"

    value = EncryptedCharField(max_length=100)

    class Meta:
        verbose_name = "encryption key canary"

    def __str__(self) -> str:
        return "encryption key canary"
