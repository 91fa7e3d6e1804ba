"""The app's credentials follow the account's: no emailed code for an account with an
authenticator app, and every token ends when the password or the second factor is reset;
the practitioner sees the app's sign-ins on the security page and can end each."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import token_issue
from practitioner_health.accounts.models import Authenticator, Role, User
from practitioner_health.accounts.services import backup_codes_generate, email_device
from practitioner_health.audit.models import Action, AuditEvent
from practitioner_health.notifications.models import Notification
from practitioner_health.notifications.services import notification_send
from tests.api.conftest import client_with_token
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"
PROTECTED = "/api/v1/me/appointments"

pytestmark = pytest.mark.django_db


def challenge_for(api: APIClient, user: User) -> dict:
    response = api.post("/api/v1/auth/sign-in", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def verify(api: APIClient, challenge: str, code: str):  # type: ignore[no-untyped-def]
    return api.post("/api/v1/auth/verify", {"challenge": challenge, "code": code}, format="json")


# No factor downgrade in the app -------------------------------------------------------------


def test_the_app_refuses_an_emailed_code_for_an_account_with_an_authenticator_app(api: APIClient) -> None:
    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        body = challenge_for(api, practitioner)
        assert body["method"] == "totp"
        outstanding = email_device(practitioner).issue(valid_seconds=600)
        response = verify(api, body["challenge"], outstanding)
        assert response.status_code == 401 and response.json()["code"] == "invalid_code"
        assert not ApiToken.objects.filter(user=practitioner).exists()
        traveller.shift(5)  # past the app's wait after a wrong code
        device = Authenticator.objects.get(user=practitioner)
        code = f"{totp(device.bin_key, step=device.STEP, digits=device.DIGITS):06d}"
        assert verify(api, body["challenge"], code).status_code == 201


def test_the_app_takes_a_backup_code_from_an_account_with_an_authenticator_app(api: APIClient) -> None:
    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    codes = backup_codes_generate(user=practitioner)
    body = challenge_for(api, practitioner)
    assert verify(api, body["challenge"], codes[3]).status_code == 201


# Tokens end with the password and the second factor --------------------------------------------


def test_a_password_reset_signs_out_every_app(practitioner: User) -> None:
    phone, tablet = token_issue(user=practitioner).secret, token_issue(user=practitioner).secret
    assert client_with_token(phone).get(PROTECTED).status_code == 200

    web = Client()
    web.post("/account/password/reset/", {"email": practitioner.email})
    notification_send(notification_id=Notification.objects.get(template="password_reset").pk)
    link = re.search(r"https://ph\.test(/account/password/set/\S+/)", mail.outbox[-1].body).group(1)
    new = "a-different-long-passphrase"
    form = web.get(link)  # the link's token moves into the session; the form has an address without it
    assert form.status_code in (302, 303)
    assert web.post(form["Location"], {"new_password1": new, "new_password2": new}).status_code == 302

    for secret in (phone, tablet):
        response = client_with_token(secret).get(PROTECTED)
        assert response.status_code == 401, "a token from before the reset no longer works"
    assert not ApiToken.objects.live().filter(user=practitioner).exists()
    assert AuditEvent.objects.filter(
        subject_id=practitioner.pk, action=Action.LOGOUT, detail="app signed out: password changed"
    ).exists()


def test_a_password_changed_any_other_way_signs_out_every_app_too(practitioner: User, other_practitioner: User) -> None:
    mine, theirs = token_issue(user=practitioner).secret, token_issue(user=other_practitioner).secret
    practitioner.set_password("changed-from-the-command-line")
    practitioner.save()
    assert client_with_token(mine).get(PROTECTED).status_code == 401
    assert client_with_token(theirs).get(PROTECTED).status_code == 200, "only that account's apps"


def test_a_sign_in_begun_with_the_old_password_cannot_finish_after_a_new_one_is_set(api: APIClient) -> None:
    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    body = challenge_for(api, practitioner)
    practitioner.set_password("a-different-long-passphrase")
    practitioner.save()
    device = Authenticator.objects.get(user=practitioner)
    code = f"{totp(device.bin_key, step=device.STEP, digits=device.DIGITS):06d}"
    response = verify(api, body["challenge"], code)
    assert response.status_code == 401 and response.json()["code"] == "challenge_expired"
    assert not ApiToken.objects.filter(user=practitioner).exists()


def test_a_second_factor_reset_signs_out_every_app(client_for, admin_user: User) -> None:  # type: ignore[no-untyped-def]
    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    secret = token_issue(user=practitioner).secret
    assert client_with_token(secret).get(PROTECTED).status_code == 200
    client_for(admin_user).post(
        "/admin/accounts/user/", {"action": "second_factor_reset", "_selected_action": [practitioner.pk]}
    )
    assert client_with_token(secret).get(PROTECTED).status_code == 401
    assert AuditEvent.objects.filter(
        subject_id=practitioner.pk, actor=admin_user, detail="app signed out: second factor reset"
    ).exists()


def test_changing_other_details_leaves_the_apps_signed_in(practitioner: User) -> None:
    secret = token_issue(user=practitioner).secret
    practitioner.full_name = "Dr Avery Renamed"
    practitioner.save()
    assert client_with_token(secret).get(PROTECTED).status_code == 200


# The security page lists the app's sign-ins and ends each ---------------------------------------


def test_the_security_page_lists_app_sign_ins_without_their_secrets(client_for, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-20 09:15:00+00:00", tick=False):
        phone = token_issue(user=practitioner).secret
    with time_machine.travel("2026-11-23 18:40:00+00:00", tick=False):
        tablet = token_issue(user=practitioner).secret
        client_with_token(tablet).get(PROTECTED)
    token_issue(user=practitioner)
    newest = ApiToken.objects.filter(user=practitioner).latest("pk")
    ApiToken.objects.filter(pk=newest.pk).update(revoked_at=timezone.now())

    page = client_for(practitioner).get("/account/security/").content.decode()
    assert "Signed in to the app" in page
    assert "20 November 2026" in page and "23 November 2026" in page
    assert "Not used yet" in page and "Last used 23 November 2026" in page
    assert page.count("Sign out this app") == 2, "revoked ones are not listed"
    for token in ApiToken.objects.filter(user=practitioner):
        assert token.key_hash not in page
    assert phone not in page and tablet not in page


def test_a_practitioner_signs_out_one_app_from_the_security_page(client_for, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    lost, kept = token_issue(user=practitioner).secret, token_issue(user=practitioner).secret
    lost_row = ApiToken.objects.filter(user=practitioner).order_by("pk").first()
    client = client_for(practitioner)
    assert client.get(f"/account/security/app-sign-ins/{lost_row.pk}/sign-out/").status_code == 405
    response = client.post(f"/account/security/app-sign-ins/{lost_row.pk}/sign-out/", follow=True)
    assert response.redirect_chain == [("/account/security/", 302)]
    assert "The app on that device is signed out." in response.content.decode()
    assert client_with_token(lost).get(PROTECTED).status_code == 401
    assert client_with_token(kept).get(PROTECTED).status_code == 200
    assert AuditEvent.objects.filter(
        actor=practitioner, action=Action.LOGOUT, object_type="api.apitoken", object_id=str(lost_row.pk)
    ).exists()


def test_nobody_can_sign_out_someone_elses_app(client_for, practitioner: User, other_practitioner: User) -> None:  # type: ignore[no-untyped-def]
    theirs = token_issue(user=other_practitioner).secret
    row = ApiToken.objects.get(user=other_practitioner)
    client = client_for(practitioner)
    response = client.post(f"/account/security/app-sign-ins/{row.pk}/sign-out/")
    assert response.status_code == 404
    assert client_with_token(theirs).get(PROTECTED).status_code == 200
    handler = UserFactory(role=Role.HANDLER)
    assert client_for(handler).post(f"/account/security/app-sign-ins/{row.pk}/sign-out/").status_code == 403
    assert client_with_token(theirs).get(PROTECTED).status_code == 200


def test_the_security_page_lists_app_sign_ins_in_flat_queries(  # type: ignore[no-untyped-def]
    client_for, practitioner: User, django_assert_max_num_queries
) -> None:
    client = client_for(practitioner)
    token_issue(user=practitioner)
    client.get("/account/security/")
    for _ in range(15):
        token_issue(user=practitioner)
    with django_assert_max_num_queries(12):
        page = client.get("/account/security/").content.decode()
    assert page.count("Sign out this app") == 16
