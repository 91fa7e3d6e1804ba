"""Sign-in with a second factor, enrolment, lockout, sessions and password links."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from practitioner_health.accounts.models import Authenticator, BackupCode, Role, User
from practitioner_health.notifications.models import Notification
from practitioner_health.notifications.services import notification_send
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"

pytestmark = pytest.mark.django_db


def sign_in(client: Client, user: User, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/account/sign-in/", {"username": user.email, "password": password})


def current_totp(device: Authenticator, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.STEP, digits=device.DIGITS, drift=offset):06d}"


def emailed_code(user: User) -> str:
    notification = Notification.objects.filter(template="login_code", subject=user).latest("id")
    notification_send(notification_id=notification.pk)
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def test_a_practitioner_signs_in_with_password_then_an_emailed_code(client: Client, practitioner: User) -> None:
    response = sign_in(client, practitioner)
    assert response.status_code == 302 and response["Location"] == "/account/sign-in/code/"
    assert client.get("/refer/my/").status_code == 302, "no page before the second factor"
    code = emailed_code(practitioner)
    assert mail.outbox[-1].subject == "Your sign-in code"
    assert mail.outbox[-1].to == [practitioner.email]
    response = client.post("/account/sign-in/code/", {"token": code})
    assert response.status_code == 302 and response["Location"] == "/refer/my/"
    assert client.get("/refer/my/").status_code == 200


def test_a_staff_member_without_an_authenticator_must_enrol_before_any_staff_page(client: Client) -> None:
    handler = UserFactory(role=Role.HANDLER, totp=False)
    response = sign_in(client, handler)
    assert response["Location"] == "/account/authenticator/"
    for url in ("/helpline/", "/clinician/", "/reporting/", "/admin/"):
        response = client.get(url)
        assert response.status_code in {302, 403}
        assert b"Helpline dashboard" not in response.content
    page = client.get("/account/authenticator/")
    assert b"<svg" in page.content, "QR code is an inline SVG"
    secret = re.search(rb'id="totp-secret">([A-Z2-7 ]+)<', page.content).group(1)
    assert len(secret.replace(b" ", b"")) >= 32, "the key is shown as text too"
    device = Authenticator.objects.get(user=handler, confirmed=False)
    response = client.post("/account/authenticator/", {"token": current_totp(device)})
    assert response.status_code == 200
    codes = re.findall(rb"<li>([a-z0-9]{8})</li>", response.content)
    assert len(codes) == 10, "ten backup codes are shown once"
    assert client.get("/helpline/").status_code == 200


def test_a_staff_member_must_pass_the_code_every_session(client: Client, handler: User) -> None:
    response = sign_in(client, handler)
    assert response["Location"] == "/account/sign-in/code/"
    assert client.get("/helpline/").status_code == 302
    device = Authenticator.objects.get(user=handler)
    assert client.post("/account/sign-in/code/", {"token": current_totp(device)}).status_code == 302
    assert client.get("/helpline/").status_code == 200


def test_a_used_code_is_refused_the_second_time(handler: User) -> None:
    device = Authenticator.objects.get(user=handler)
    code = current_totp(device)
    first, second = Client(), Client()
    sign_in(first, handler)
    assert first.post("/account/sign-in/code/", {"token": code}).status_code == 302
    sign_in(second, handler)
    response = second.post("/account/sign-in/code/", {"token": code})
    assert response.status_code == 200
    assert b"The security code is not right or has expired" in response.content
    assert second.get("/helpline/").status_code == 302


def test_a_backup_code_works_once(client: Client, clinician: User, client_for) -> None:  # type: ignore[no-untyped-def]
    codes_page = client_for(clinician).post("/account/backup-codes/")
    code = re.findall(rb"<li>([a-z0-9]{8})</li>", codes_page.content)[0].decode()
    sign_in(client, clinician)
    assert client.post("/account/sign-in/code/", {"token": code}).status_code == 302
    other = Client()
    sign_in(other, clinician)
    assert other.post("/account/sign-in/code/", {"token": code}).status_code == 200
    assert BackupCode.objects.filter(device__user=clinician).count() == 9  # the other nine still work


def test_wrong_codes_show_a_clear_error_and_keep_the_form(client: Client, handler: User) -> None:
    sign_in(client, handler)
    response = client.post("/account/sign-in/code/", {"token": ""})
    assert b"Enter your security code" in response.content
    assert b"nhsuk-error-summary" in response.content


def test_repeated_failed_sign_ins_lock_the_account_with_a_clear_message(client: Client, practitioner: User) -> None:
    for _ in range(5):
        response = sign_in(client, practitioner, password="wrong-password")
    assert response.status_code == 429
    assert b"Sign-in is locked for 30 minutes" in response.content
    # Even the right password is refused while locked.
    response = sign_in(Client(), practitioner)
    assert response.status_code == 429
    # The lockout table holds the keyed hash, never the email address.
    with connection.cursor() as cursor:
        cursor.execute("SELECT username FROM axes_accessattempt")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(practitioner.email not in value for value in stored)


def test_a_failed_sign_in_says_what_is_wrong_and_keeps_the_email(client: Client, practitioner: User) -> None:
    response = sign_in(client, practitioner, password="wrong-password")
    assert response.status_code == 200
    assert b"The email address or password is not right" in response.content
    assert practitioner.email.encode() in response.content


def test_signing_in_gives_a_new_session_id(client: Client, practitioner: User) -> None:
    client.get("/account/sign-in/")
    client.session.save()
    before = client.session.session_key
    sign_in(client, practitioner)
    assert client.session.session_key != before


def test_signing_out_ends_the_session_on_the_server(client_for, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(practitioner)
    session_key = client.session.session_key
    response = client.post("/account/sign-out/")
    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    stolen = Client()
    stolen.cookies["sessionid"] = session_key
    assert stolen.get("/refer/my/").status_code == 302


def test_idle_staff_sessions_expire_after_30_minutes(client_for, handler: User) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(handler)
        assert client.get("/helpline/").status_code == 200
        traveller.shift(29 * 60)
        assert client.get("/helpline/").status_code == 200
        traveller.shift(31 * 60)
        response = client.get("/helpline/")
        assert response.status_code == 302
        assert response["Location"].startswith("/account/sign-in/")


def test_the_wrong_role_gets_403(client_for, clinician: User) -> None:  # type: ignore[no-untyped-def]
    response = client_for(clinician).get("/helpline/")
    assert response.status_code == 403
    assert b"You cannot see this page" in response.content


def test_password_reset_answers_the_same_for_unknown_addresses(client: Client, practitioner: User) -> None:
    known = client.post("/account/password/reset/", {"email": practitioner.email})
    unknown = client.post("/account/password/reset/", {"email": "nobody@example.nhs.uk"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert Notification.objects.filter(template="password_reset").count() == 1


def test_a_password_link_sets_a_password_once(client: Client, practitioner: User) -> None:
    client.post("/account/password/reset/", {"email": practitioner.email})
    notification = Notification.objects.get(template="password_reset")
    notification_send(notification_id=notification.pk)
    link = re.search(r"https://ph\.test(/account/password/set/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and b"new_password1" in form_page.content
    [(form_url, _)] = form_page.redirect_chain
    response = client.post(
        form_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"}
    )
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.check_password("a-new-long-passphrase")
    assert client.get(link).status_code == 400, "the link works once"
    assert client.get(form_url).status_code == 400


def test_the_password_link_token_leaves_the_address_at_once(client: Client, practitioner: User) -> None:
    client.post("/account/password/reset/", {"email": practitioner.email})
    notification_send(notification_id=Notification.objects.get(template="password_reset").pk)
    link = re.search(r"https://ph\.test(/account/password/set/\S+/)", mail.outbox[-1].body).group(1)
    uidb64, token = link.rstrip("/").split("/")[-2:]
    first = client.get(link)
    # As Django's own reset view: the token goes into the session, the browser to a tokenless address.
    assert first.status_code == 302 and first["Location"] == f"/account/password/set/{uidb64}/set/"
    assert token not in first["Location"]
    page = client.get(first["Location"])
    assert page.status_code == 200 and token not in page.content.decode()
    # The tokenless address is nothing without the session that opened the link.
    assert Client().get(first["Location"]).status_code == 400
    assert (
        Client()
        .post(first["Location"], {"new_password1": "x-long-enough-1", "new_password2": "x-long-enough-1"})
        .status_code
        == 400
    )


def test_the_outbox_never_holds_a_password_link_token_in_clear(client: Client, practitioner: User) -> None:
    client.post("/account/password/reset/", {"email": practitioner.email})
    notification = Notification.objects.get(template="password_reset")
    notification_send(notification_id=notification.pk)
    token = re.search(r"/account/password/set/[^/]+/([^/\s]+)/", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT idempotency_key, context_json FROM notifications_notification WHERE id = %s", [notification.pk]
        )
        key, context_column = cursor.fetchone()
    assert token not in key and token not in context_column


def test_email_is_stored_encrypted_and_found_by_its_hash(practitioner: User) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, email_index FROM accounts_user WHERE id = %s", [practitioner.pk])
        email_column, index_column = cursor.fetchone()
    assert practitioner.email not in email_column
    assert practitioner.email not in index_column
    assert User.objects.get_by_email(practitioner.email.upper()) == practitioner
