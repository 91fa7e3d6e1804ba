"""Second factors and password links. Messages go through the outbox, discreetly."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.models import Device

from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.notifications.models import Channel
from practitioner_health.notifications.services import OutgoingMessage, notify

from .models import Authenticator, BackupCode, BackupCodes, EmailCode, Role, User
from .signals import credentials_changed

BACKUP_CODE_COUNT = 10
# How long a set-up page's secret can be confirmed: long enough to find the phone and scan,
# short enough that a secret left on an abandoned page is soon worthless.
ENROLMENT_WINDOW = timedelta(minutes=15)


def confirmed_totp(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, confirmed=True).first()


def emailed_codes_allowed(user: User) -> bool:
    """Whether this account may pass the second step with a code sent by email.

    Only a practitioner who has not set up an authenticator app (staff always use an app).
    Once an app is set up it is the factor: accepting an emailed code as well would let
    anyone holding the password and the mailbox (often guarded by the same password) step
    around the app the person chose.
    """
    return user.role == Role.PRACTITIONER and confirmed_totp(user) is None


def second_factor_devices(user: User, *, for_verify: bool = False) -> list[Device]:
    """The factors this account may use, from what it has set up: its authenticator app or,
    without one, emailed codes (practitioners only); backup codes either way. `for_verify`
    locks the rows (inside the caller's transaction), so two sign-ins racing with one code
    cannot both pass."""

    def confirmed(model: type[Device]) -> list[Device]:
        rows = model.objects.filter(user=user, confirmed=True).order_by("pk")
        return list(rows.select_for_update() if for_verify else rows)

    devices = confirmed(Authenticator)[:1]
    if not devices and user.role == Role.PRACTITIONER:
        devices = confirmed(EmailCode)
    return devices + confirmed(BackupCodes)


def second_factor_match(*, user: User, token: str) -> Device | None:
    """The device among the account's allowed factors that accepts `token` (and records its
    use), or None. Used instead of django-otp's match_token, which tries every device the
    account has, including emailed codes it has moved on from."""
    with transaction.atomic():
        for device in second_factor_devices(user, for_verify=True):
            if device.verify_token(token):
                return device
    return None


def email_device(user: User) -> EmailCode:
    """The account's emailed-code device, made the first time it is needed."""
    device, _ = EmailCode.objects.get_or_create(user=user, name="email", defaults={"confirmed": True})
    return device


def email_code_send(*, user: User) -> bool:
    """Generate a fresh email code and queue it, if this account signs in with emailed codes
    (returns whether one was sent). The code itself is only in the outbox row's encrypted
    context; the device keeps a keyed hash of it."""
    if not emailed_codes_allowed(user):
        return False
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
    return True


def authenticator_pending(*, user: User, device_id: object) -> Authenticator | None:
    """The app being set up on this page, if it is this account's and still in its window."""
    try:
        pk = int(str(device_id))
    except ValueError:
        return None
    return Authenticator.objects.filter(
        pk=pk, user=user, confirmed=False, created_at__gt=timezone.now() - ENROLMENT_WINDOW
    ).first()


def authenticator_confirm(*, user: User, device: Authenticator) -> bool:
    """A newly set-up app becomes the only one: any older app (a lost or replaced phone)
    stops working the moment the new one shows it works, and so does any emailed code
    still outstanding. Returns False (nothing changed) if the set-up is no longer pending."""
    with transaction.atomic():
        pending = Authenticator.objects.filter(
            pk=device.pk, user=user, confirmed=False, created_at__gt=timezone.now() - ENROLMENT_WINDOW
        )
        # One statement checks the window and confirms: a set-up cannot expire in between.
        if not pending.update(confirmed=True):
            return False
        device.confirmed = True
        replaced, _ = Authenticator.objects.filter(user=user).exclude(pk=device.pk).delete()
        EmailCode.objects.filter(user=user).update(digest="", valid_until=None)
        audit_record(
            action=Action.CREATE,
            obj=device,
            object_type="accounts.authenticator",
            subject_id=user.pk,
            detail="authenticator replaced" if replaced else "authenticator enrolled",
        )
    return True


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
        # Whatever signed in with the old factor (the app's tokens) ends with it.
        credentials_changed.send(sender=User, user=user, reason="second factor reset")


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
    """A new secret for a set-up page. Any set-up left unfinished is dropped: a secret once
    shown (perhaps to someone holding only the password) is never the one confirmed later."""
    with transaction.atomic():
        Authenticator.objects.filter(user=user, confirmed=False).delete()
        return Authenticator.objects.create(user=user, name="Authenticator app", confirmed=False)


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


def email_change_notice_send(*, user: User, old_email: str) -> None:
    """Tell the old address that the account's email address was changed (by a service
    administrator): if it was not the account holder's wish, the real person hears of it
    before a password link goes to the new address. Discreet: it names neither the service
    nor the new address."""
    changed_on = timezone.localtime().strftime("%-d %B %Y")
    notify(
        channel=Channel.EMAIL,
        template="email_changed",
        recipient=old_email,
        context={"changed_on": changed_on, "helpline": settings.HELPLINE_NUMBER},
        idempotency_key=f"email-changed:{user.pk}:{secrets.token_hex(8)}",
        subject_id=user.pk,
    )


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
