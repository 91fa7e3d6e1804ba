"""The second step at sign-in: no falling back to a weaker factor than the one set up, a new
secret for every set-up page, and a new session id once the second step is passed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from practitioner_health.accounts.models import Authenticator, Role, User
from practitioner_health.accounts.services import backup_codes_generate, email_device
from practitioner_health.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
WRONG_CODE = b"The security code is not right or has expired"


def sign_in(client: Client, user: User, next_url: str = ""):  # type: ignore[no-untyped-def]
    url = f"/account/sign-in/?next={next_url}" if next_url else "/account/sign-in/"
    return client.post(url, {"username": user.email, "password": PASSWORD})


def app_code(device: Authenticator) -> str:
    return f"{totp(device.bin_key, step=device.STEP, digits=device.DIGITS):06d}"


def shown_secret(page: bytes) -> str:
    return re.search(rb'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(b" ", b"").decode()


def code_for_shown_secret(secret_b32: str) -> str:
    import base64

    key = base64.b32decode(secret_b32)
    return f"{totp(key, step=Authenticator.STEP, digits=Authenticator.DIGITS):06d}"


# No factor downgrade -----------------------------------------------------------------------


def test_resend_sends_no_emailed_code_to_an_account_with_an_authenticator_app(client: Client) -> None:
    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    assert sign_in(client, practitioner)["Location"] == "/account/sign-in/code/"
    response = client.post("/account/sign-in/code/resend/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/account/sign-in/code/", 302)]
    page = response.content.decode()
    assert "Enter the code from your authenticator app." in page
    assert "We have sent you a new security code" not in page
    assert not Notification.objects.filter(template="login_code", subject=practitioner).exists()


def test_an_emailed_code_does_not_pass_for_an_account_with_an_authenticator_app(client: Client) -> None:
    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    # A code emailed before the app was set up, or by any other path: the mailbox is not
    # the factor this account chose.
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        outstanding = email_device(practitioner).issue(valid_seconds=600)
        sign_in(client, practitioner)
        response = client.post("/account/sign-in/code/", {"token": outstanding})
        assert response.status_code == 200 and WRONG_CODE in response.content
        assert client.get("/refer/my/").status_code == 302, "not past the second step"
        traveller.shift(5)  # past the app's wait after a wrong code
        device = Authenticator.objects.get(user=practitioner)
        assert client.post("/account/sign-in/code/", {"token": app_code(device)}).status_code == 302
        assert client.get("/refer/my/").status_code == 200


def test_staff_cannot_pass_with_an_emailed_code_either(client: Client, handler: User) -> None:
    outstanding = email_device(handler).issue(valid_seconds=600)
    sign_in(client, handler)
    response = client.post("/account/sign-in/code/", {"token": outstanding})
    assert response.status_code == 200 and WRONG_CODE in response.content
    assert client.get("/helpline/").status_code == 302


def test_backup_codes_still_pass_for_an_account_with_an_authenticator_app(client: Client) -> None:
    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    codes = backup_codes_generate(user=practitioner)
    sign_in(client, practitioner)
    assert client.post("/account/sign-in/code/", {"token": codes[0]}).status_code == 302
    assert client.get("/refer/my/").status_code == 200


def test_a_practitioner_without_an_app_still_gets_and_uses_emailed_codes(client: Client, practitioner: User) -> None:
    sign_in(client, practitioner)
    response = client.post("/account/sign-in/code/resend/", follow=True)
    assert b"We have sent you a new security code." in response.content
    assert Notification.objects.filter(template="login_code", subject=practitioner).count() == 2
    code = email_device(practitioner).issue(valid_seconds=600)
    assert client.post("/account/sign-in/code/", {"token": code}).status_code == 302
    assert client.get("/refer/my/").status_code == 200


# A fresh authenticator secret for every set-up page -----------------------------------------


def test_each_set_up_page_shows_a_new_secret_and_only_the_latest_can_be_confirmed(client: Client) -> None:
    handler = UserFactory(role=Role.HANDLER, totp=False)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, handler)
        first = shown_secret(client.get("/account/authenticator/").content)
        second = shown_secret(client.get("/account/authenticator/").content)
        assert first != second
        stale = client.post("/account/authenticator/", {"token": code_for_shown_secret(first)})
        assert stale.status_code == 200 and b"The security code is not right" in stale.content
        assert shown_secret(stale.content) == second, "a wrong code keeps the page's secret"
        assert not Authenticator.objects.filter(user=handler, confirmed=True).exists()
        traveller.shift(5)  # past the wait after a wrong code
        done = client.post("/account/authenticator/", {"token": code_for_shown_secret(second)})
        assert done.status_code == 200 and b"backup codes" in done.content
    assert Authenticator.objects.get(user=handler).confirmed, "the one set-up left, confirmed"


def test_a_secret_seen_with_only_the_password_is_not_the_one_the_real_person_sets_up() -> None:
    handler = UserFactory(role=Role.HANDLER, totp=False)
    intruder, owner = Client(), Client()
    sign_in(intruder, handler)
    seen = shown_secret(intruder.get("/account/authenticator/").content)

    sign_in(owner, handler)
    owners = shown_secret(owner.get("/account/authenticator/").content)
    assert owners != seen
    assert owner.post("/account/authenticator/", {"token": code_for_shown_secret(owners)}).status_code == 200
    assert owner.get("/helpline/").status_code == 200

    later = Client()
    sign_in(later, handler)
    response = later.post("/account/sign-in/code/", {"token": code_for_shown_secret(seen)})
    assert response.status_code == 200 and WRONG_CODE in response.content
    assert later.get("/helpline/").status_code == 302, "the secret the intruder saw signs nobody in"


def test_an_unconfirmed_set_up_expires_after_15_minutes(client: Client) -> None:
    handler = UserFactory(role=Role.HANDLER, totp=False)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        sign_in(client, handler)
        secret = shown_secret(client.get("/account/authenticator/").content)
        traveller.shift(timedelta(minutes=15, seconds=1))
        response = client.post("/account/authenticator/", {"token": code_for_shown_secret(secret)})
        assert response.status_code == 200
        assert b"This set-up has expired" in response.content
        assert not Authenticator.objects.filter(user=handler, confirmed=True).exists()
        fresh = shown_secret(response.content)
        assert fresh != secret, "a new QR code to scan"
        traveller.shift(timedelta(minutes=14))
        done = client.post("/account/authenticator/", {"token": code_for_shown_secret(fresh)})
        assert done.status_code == 200 and Authenticator.objects.filter(user=handler, confirmed=True).exists()


# The session id rotates after the second step -------------------------------------------------


def test_the_session_id_changes_after_the_second_step_and_the_old_one_is_dead(client: Client, handler: User) -> None:
    sign_in(client, handler, next_url="/helpline/queues/urgent/")
    before = client.cookies["sessionid"].value
    device = Authenticator.objects.get(user=handler)
    response = client.post("/account/sign-in/code/", {"token": app_code(device)})
    assert response["Location"] == "/helpline/queues/urgent/", "the session's data is kept"
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/helpline/").status_code == 200

    stolen = Client()
    stolen.cookies["sessionid"] = before
    response = stolen.get("/helpline/")
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")


def test_the_session_id_changes_after_a_first_authenticator_set_up(client: Client) -> None:
    handler = UserFactory(role=Role.HANDLER, totp=False)
    sign_in(client, handler)
    secret = shown_secret(client.get("/account/authenticator/").content)
    before = client.cookies["sessionid"].value
    assert client.post("/account/authenticator/", {"token": code_for_shown_secret(secret)}).status_code == 200
    assert client.cookies["sessionid"].value != before
    assert client.get("/helpline/").status_code == 200
    stolen = Client()
    stolen.cookies["sessionid"] = before
    assert stolen.get("/helpline/").status_code == 302
