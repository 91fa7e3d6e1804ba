from __future__ import annotations

import hmac
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex
from encrypted_model_fields.fields import EncryptedCharField, EncryptedEmailField

from practitioner_health.crypto import blind_index, email_index, normalise_email

from .signals import credentials_changed


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


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]  # Authenticator.user, declared by django-otp
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
        # set_password() leaves the new password here until the row is saved. Caught here
        # rather than in each view, so every way of setting one (the reset link, a form, the
        # changepassword command) ends the sign-ins that rested on the old password.
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            credentials_changed.send(sender=User, user=self, reason="password changed")

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


def new_authenticator_secret() -> str:
    return random_hex(20)


class Authenticator(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238, the codes every authenticator app shows), with its
    shared secret encrypted at rest.

    django-otp's own TOTPDevice keeps the secret in clear, so a copy of the database would be
    enough to make every staff member's codes and pass the second factor. This device keeps
    the secret in an encrypted column (the field key lives outside the database) and checks
    codes with django-otp's TOTP: 30-second steps, six digits, one step either side, no code
    accepted twice, failed attempts throttled.
    """

    STEP = 30
    DIGITS = 6
    TOLERANCE = 1

    # Hex of 20 random bytes: the secret the app holds.
    secret = EncryptedCharField(max_length=80, default=new_authenticator_secret, editable=False)
    # Steps the phone's clock is known to be off ours, learned from accepted codes.
    drift = models.SmallIntegerField(default=0)
    # The step of the last accepted code: a later code must be from a later step.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.secret.encode())

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(str(token))
        except ValueError:
            code = None
        totp = TOTP(self.bin_key, self.STEP, 0, self.DIGITS, self.drift)
        totp.time = time.time()
        if code is not None and totp.verify(code, self.TOLERANCE, self.last_t + 1):
            self.last_t = totp.t()
            self.drift = totp.drift
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    @property
    def config_url(self) -> str:
        """The otpauth:// address the set-up QR code holds (the Key Uri Format apps read)."""
        issuer = str(settings.OTP_TOTP_ISSUER).replace(":", "")
        label = quote(f"{issuer}:{self.user.email}")
        params = urlencode(
            {
                "secret": b32encode(self.bin_key).decode(),
                "algorithm": "SHA1",
                "digits": self.DIGITS,
                "period": self.STEP,
                "issuer": issuer,
            },
            quote_via=quote,
        )
        return f"otpauth://totp/{label}?{params}"


def one_use_code_digest(user_id: int, code: str, *, purpose: str) -> str:
    """A keyed hash of a one-use code, bound to its account. The key is not in the database,
    so a copy of it cannot be searched for the codes (six digits, or 40 bits, are few)."""
    return blind_index(f"{user_id}:{''.join(code.split()).lower()}", purpose=purpose)


class BackupCodes(ThrottlingMixin, Device):
    """The printed one-use codes for when the authenticator app is not to hand.

    django-otp's static device keeps the codes in clear; here each is kept only as a keyed
    hash (`BackupCode`), and using one deletes it in the same statement that finds it, so
    two sign-ins racing with one code cannot both succeed.
    """

    PURPOSE = "backup-code"

    class Meta(Device.Meta):
        verbose_name = "backup codes"

    def replace_codes(self, codes: list[str]) -> None:
        self.codes.all().delete()  # type: ignore[attr-defined]
        BackupCode.objects.bulk_create(
            [
                BackupCode(device=self, digest=one_use_code_digest(self.user_id, code, purpose=self.PURPOSE))
                for code in codes
            ]
        )

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        digest = one_use_code_digest(self.user_id, str(token), purpose=self.PURPOSE)
        used, _ = BackupCode.objects.filter(device=self, digest=digest).delete()
        if used:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False

    def get_throttle_factor(self) -> int:
        return 1


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return "Backup code"


class EmailCode(ThrottlingMixin, Device):
    """A six-digit sign-in code sent by email, kept only as a keyed hash until it is used,
    replaced by a newer one, or expires (django-otp's email device keeps it in clear)."""

    PURPOSE = "email-code"

    digest = models.CharField(max_length=64, blank=True, default="")
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta(Device.Meta):
        verbose_name = "email code"

    def issue(self, *, valid_seconds: int) -> str:
        """A fresh code (any earlier one stops working); the caller sends it."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        self.digest = one_use_code_digest(self.user_id, code, purpose=self.PURPOSE)
        self.valid_until = timezone.now() + timedelta(seconds=valid_seconds)
        self.save(update_fields=["digest", "valid_until"])
        return code

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        digest = one_use_code_digest(self.user_id, str(token), purpose=self.PURPOSE)
        current = bool(self.digest) and self.valid_until is not None and timezone.now() < self.valid_until
        if current and hmac.compare_digest(self.digest, digest):
            self.digest, self.valid_until = "", None
            self.throttle_reset(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False

    def get_throttle_factor(self) -> int:
        return 1
