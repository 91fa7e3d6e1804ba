"""Second factors and password links. Messages go through the outbox, discreetly."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.notifications.models import Channel
from practitioner_health.notifications.services import OutgoingMessage, notify

from .models import Authenticator, BackupCode, BackupCodes, EmailCode, Role, User

BACKUP_CODE_COUNT = 10


def confirmed_totp(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, confirmed=True).first()


def email_device(user: User) -> EmailCode:
    """The account's emailed-code device, made the first time it is needed."""
    device, _ = EmailCode.objects.get_or_create(user=user, name="email", defaults={"confirmed": True})
    return device


def email_code_send(*, user: User) -> None:
    """Generate a fresh email code and queue it. The code itself is only in the outbox row's
    encrypted context; the device keeps a keyed hash of it."""
    with transaction.atomic():
        device = email_device(user)
        code = device.issue(valid_seconds=settings.OTP_EMAIL_TOKEN_VALIDITY)
        notify(
            channel=Channel.EMAIL,
            template="login_code",
            recipient=user.email,
            context={"code": code},
            idempotency_key=f"login-code:{user.pk}:{secrets.token_hex(8)}",
            subject_id=user.pk,
        )


def authenticator_confirm(*, user: User, device: Authenticator) -> None:
    """A newly set-up app becomes the only one: any older app (a lost or replaced phone)
    stops working the moment the new one shows it works."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        replaced, _ = Authenticator.objects.filter(user=user).exclude(pk=device.pk).delete()
        audit_record(
            action=Action.CREATE,
            obj=device,
            object_type="accounts.authenticator",
            subject_id=user.pk,
            detail="authenticator replaced" if replaced else "authenticator enrolled",
        )


def authenticator_remove(*, user: User) -> EmailCode:
    """A practitioner goes back to codes by email (staff always keep an app). Returns the
    email device, for the session that asked to stay signed in through it."""
    if user.role != Role.PRACTITIONER:
        raise PermissionError("Staff sign in with an authenticator app")
    with transaction.atomic():
        Authenticator.objects.filter(user=user).delete()
        device = email_device(user)
        audit_record(action=Action.DELETE, obj=user, subject_id=user.pk, detail="authenticator removed")
    return device


def second_factor_reset(*, user: User) -> None:
    """For someone whose identity has been checked another way: their app, backup codes and
    any emailed code stop working, and at the next sign-in (password first) staff set up an
    app again."""
    with transaction.atomic():
        for model in (Authenticator, BackupCodes, EmailCode):
            model.objects.filter(user=user).delete()
        audit_record(action=Action.UPDATE, obj=user, subject_id=user.pk, detail="second factor reset")


@dataclass(frozen=True)
class SignInMethods:
    authenticator: Authenticator | None
    backup_codes_left: int


def sign_in_methods(user: User) -> SignInMethods:
    return SignInMethods(
        authenticator=confirmed_totp(user),
        backup_codes_left=BackupCode.objects.filter(device__user=user).count(),
    )


def totp_enrolment_start(*, user: User) -> Authenticator:
    device = Authenticator.objects.filter(user=user, confirmed=False).first()
    return device or Authenticator.objects.create(user=user, name="Authenticator app", confirmed=False)


def backup_code_new() -> str:
    """Eight lower-case letters and digits (40 random bits), easy to read out and type."""
    return base64.b32encode(secrets.token_bytes(5)).decode().lower()


def backup_codes_generate(*, user: User) -> list[str]:
    """Replace the user's backup codes with a new set and return them (shown once)."""
    with transaction.atomic():
        device, _ = BackupCodes.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
        codes = [backup_code_new() for _ in range(BACKUP_CODE_COUNT)]
        device.replace_codes(codes)
        audit_record(action=Action.UPDATE, obj=user, subject_id=user.pk, detail="backup codes regenerated")
    return codes


def password_link_message(*, user: User, template: str = "password_reset") -> OutgoingMessage:
    """The email with a one-use link to set a password, for a caller queueing several messages."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return OutgoingMessage(
        channel=Channel.EMAIL,
        template=template,
        recipient=user.email,
        context={"link": f"{settings.PUBLIC_URL}{path}"},
        # The key is stored in clear: it holds a digest of the token, never the token, so a
        # copy of the outbox table cannot be used to set someone's password.
        idempotency_key=f"{template}:{user.pk}:{hashlib.sha256(token.encode()).hexdigest()[:32]}",
        subject_id=user.pk,
    )


def password_link_send(*, user: User, template: str = "password_reset") -> None:
    """Queue a one-use link to set a password (reset, or first activation after a referral)."""
    message = password_link_message(user=user, template=template)
    notify(
        channel=message.channel,
        template=message.template,
        recipient=message.recipient,
        context=message.context,
        idempotency_key=message.idempotency_key,
        subject_id=message.subject_id,
    )
