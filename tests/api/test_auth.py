"""Signing in from the app: password, the same second factor as the website, hashed tokens,
expiry, revocation, lockout, throttling, CORS and the error format."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_otp.oath import totp
from rest_framework.test import APIClient

from api.models import ApiToken
from practitioner_health.accounts.models import Authenticator, Role, User
from practitioner_health.audit.models import Action, AuditEvent
from practitioner_health.notifications.models import Notification
from practitioner_health.notifications.services import notification_send
from tests.api.conftest import client_with_token
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"
PROTECTED = "/api/v1/me/appointments"

pytestmark = pytest.mark.django_db


def sign_in(client: APIClient, user: User, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/sign-in", {"email": user.email, "password": password}, format="json")


def emailed_code(user: User) -> str:
    notification = Notification.objects.filter(template="login_code", subject=user).latest("id")
    notification_send(notification_id=notification.pk)
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]


def current_totp(device: Authenticator) -> str:
    return f"{totp(device.bin_key, step=device.STEP, digits=device.DIGITS):06d}"


def full_sign_in(client: APIClient, user: User) -> str:
    challenge = sign_in(client, user).json()["challenge"]
    response = client.post("/api/v1/auth/verify", {"challenge": challenge, "code": emailed_code(user)}, format="json")
    assert response.status_code == 201, response.content
    return str(response.json()["token"])


def test_a_practitioner_signs_in_with_password_and_emailed_code_and_gets_a_hashed_token(
    api: APIClient, practitioner: User
) -> None:
    response = sign_in(api, practitioner)
    assert response.status_code == 200
    body = response.json()
    assert body["method"] == "email" and body["challenge"] and body["expires_at"]
    assert api.get(PROTECTED).status_code == 401, "a password alone gives nothing"

    code = emailed_code(practitioner)
    response = api.post("/api/v1/auth/verify", {"challenge": body["challenge"], "code": code}, format="json")
    assert response.status_code == 201
    token = response.json()
    assert token["token_type"] == "Bearer" and token["token"].startswith("pht_")
    stored = ApiToken.objects.get(user=practitioner)
    assert stored.key_hash == hashlib.sha256(token["token"].encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=token["token"]).exists()
    assert client_with_token(token["token"]).get(PROTECTED).status_code == 200
    assert AuditEvent.objects.filter(actor=practitioner, action=Action.LOGIN, detail="second factor (app)").exists()


def test_a_practitioner_with_an_authenticator_uses_it_and_gets_no_email(api: APIClient) -> None:
    user = UserFactory(role=Role.PRACTITIONER, totp=True)
    response = sign_in(api, user)
    assert response.json()["method"] == "totp"
    assert not Notification.objects.filter(template="login_code", subject=user).exists()
    code = current_totp(Authenticator.objects.get(user=user))
    response = api.post("/api/v1/auth/verify", {"challenge": response.json()["challenge"], "code": code}, format="json")
    assert response.status_code == 201


def test_a_wrong_password_is_401_and_missing_fields_are_422_field_by_field(api: APIClient, practitioner: User) -> None:
    response = sign_in(api, practitioner, password="not-the-password")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials" and response.json()["message"]
    response = api.post("/api/v1/auth/sign-in", {"email": "someone@example.org"}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and "password" in response.json()["fields"]
    response = api.post("/api/v1/auth/sign-in", {"email": "not an email", "password": "x"}, format="json")
    assert response.status_code == 422 and "username" in response.json()["fields"]


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(api: APIClient) -> None:
    response = api.post("/api/v1/auth/sign-in", {"email": "nobody@example.org", "password": "x"}, format="json")
    assert response.status_code == 401 and response.json()["code"] == "invalid_credentials"


def test_staff_cannot_use_the_app(api: APIClient, handler: User, clinician: User, commissioner: User) -> None:
    for user in (handler, clinician, commissioner):
        response = sign_in(api, user)
        assert response.status_code == 403 and response.json()["code"] == "practitioners_only"
    # Even a token made for staff some other way opens nothing.
    from api.tokens import token_issue

    assert client_with_token(token_issue(user=handler).secret).get(PROTECTED).status_code == 403


def test_a_wrong_code_is_401_and_five_wrong_codes_end_the_challenge(api: APIClient, practitioner: User) -> None:
    challenge = sign_in(api, practitioner).json()["challenge"]
    code = emailed_code(practitioner)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = api.post("/api/v1/auth/verify", {"challenge": challenge, "code": wrong}, format="json")
        assert response.status_code == 401 and response.json()["code"] == "invalid_code"
    response = api.post("/api/v1/auth/verify", {"challenge": challenge, "code": code}, format="json")
    assert response.status_code == 401 and response.json()["code"] == "challenge_expired"
    assert not ApiToken.objects.exists()


def test_a_challenge_works_once_and_expires(api: APIClient, practitioner: User) -> None:
    challenge = sign_in(api, practitioner).json()["challenge"]
    code = emailed_code(practitioner)
    assert api.post("/api/v1/auth/verify", {"challenge": challenge, "code": code}, format="json").status_code == 201
    again = api.post("/api/v1/auth/verify", {"challenge": challenge, "code": code}, format="json")
    assert again.status_code == 401 and again.json()["code"] == "challenge_expired"

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        challenge = sign_in(api, practitioner).json()["challenge"]
        code = emailed_code(practitioner)
        traveller.shift(timedelta(minutes=11))
        late = api.post("/api/v1/auth/verify", {"challenge": challenge, "code": code}, format="json")
    assert late.status_code == 401 and late.json()["code"] == "challenge_expired"


def test_repeated_wrong_passwords_lock_the_account_with_a_json_429(api: APIClient, practitioner: User) -> None:
    for _ in range(5):
        response = sign_in(api, practitioner, password="wrong-password")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "locked_out"
    response = sign_in(APIClient(), practitioner)
    assert response.status_code == 429 and response.json()["code"] == "locked_out"


def test_sign_out_revokes_this_token_only(api: APIClient, practitioner: User) -> None:
    first, second = full_sign_in(api, practitioner), full_sign_in(APIClient(), practitioner)
    assert client_with_token(first).post("/api/v1/auth/sign-out").status_code == 204
    response = client_with_token(first).get(PROTECTED)
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert client_with_token(second).get(PROTECTED).status_code == 200


def test_sign_out_everywhere_revokes_every_token(api_for, practitioner: User, other_practitioner: User) -> None:  # type: ignore[no-untyped-def]
    phone, tablet, someone_else = api_for(practitioner), api_for(practitioner), api_for(other_practitioner)
    assert phone.post("/api/v1/auth/sign-out-everywhere").status_code == 204
    assert phone.get(PROTECTED).status_code == 401
    assert tablet.get(PROTECTED).status_code == 401
    assert someone_else.get(PROTECTED).status_code == 200


def test_tokens_expire_and_stop_working_when_idle(api_for, practitioner: User, settings) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = api_for(practitioner)
        for _ in range(4):
            traveller.shift(timedelta(days=6))
            response = client.get(PROTECTED)
            assert response.status_code == 200, response.content
        traveller.shift(timedelta(days=6, minutes=1))
        assert client.get(PROTECTED).status_code == 401, "past the 30-day lifetime"

        idle = api_for(practitioner)
        traveller.shift(settings.API_TOKEN_IDLE_TIMEOUT + timedelta(minutes=1))
        assert idle.get(PROTECTED).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer pht_not-a-real-token", "Bearer caf\u00e9"])
def test_a_bad_authorization_header_is_401(practitioner: User, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
    response = client.get(PROTECTED)
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"


def test_no_token_is_401_not_a_redirect(api: APIClient) -> None:
    response = api.get(PROTECTED)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_a_body_that_is_not_json_is_400(api: APIClient) -> None:
    response = api.post("/api/v1/auth/sign-in", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "malformed"
    response = api.post("/api/v1/auth/sign-in", "email=a", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


def test_sign_in_attempts_are_throttled_per_client(api: APIClient, practitioner: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "sign-in": "3/minute"},
    }
    statuses = [sign_in(api, practitioner, password="x").status_code for _ in range(4)]
    assert statuses[:3] == [401, 401, 401] and statuses[3] == 429
    response = sign_in(api, practitioner, password="x")
    assert response.json()["code"] == "rate_limited" and int(response["Retry-After"]) > 0


def test_requests_are_throttled_per_account(api_for, practitioner: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "account": "2/minute"},
    }
    phone, tablet = api_for(practitioner), api_for(practitioner)
    assert phone.get(PROTECTED).status_code == 200
    assert tablet.get(PROTECTED).status_code == 200
    assert phone.get(PROTECTED).status_code == 429, "the account's budget is shared by its devices"


def test_tokens_and_passwords_never_reach_the_logs(
    api: APIClient, practitioner: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = full_sign_in(api, practitioner)
    client_with_token(token).get(PROTECTED)
    client_with_token(token).get("/api/v1/me/appointments/999999")
    text = caplog.text
    assert token not in text and PASSWORD not in text and practitioner.email not in text


def test_cors_is_closed_unless_an_origin_is_configured(api: APIClient, settings) -> None:  # type: ignore[no-untyped-def]
    origin = "https://app.example.org"
    response = api.get("/api/v1/crisis", HTTP_ORIGIN=origin)
    assert "Access-Control-Allow-Origin" not in response
    settings.API_CORS_ORIGINS = [origin]
    response = api.get("/api/v1/crisis", HTTP_ORIGIN=origin)
    assert response["Access-Control-Allow-Origin"] == origin
    preflight = api.options("/api/v1/me/appointments", HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code == 204 and "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in api.get("/api/v1/crisis", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in api.get("/refer/", HTTP_ORIGIN=origin)


def test_the_hourly_purge_deletes_finished_challenges_and_long_dead_tokens_only(
    api: APIClient, practitioner: User, other_practitioner: User
) -> None:
    from api.models import SignInChallenge
    from api.tasks import purge_dead_credentials
    from api.tokens import secret_hash, token_issue, token_revoke

    used_token = full_sign_in(api, practitioner)  # its challenge is now used
    sign_in(api, practitioner)  # a challenge still waiting for its code
    waiting = SignInChallenge.objects.get(used_at__isnull=True)
    revoked = ApiToken.objects.get(key_hash=secret_hash(token_issue(user=other_practitioner).secret))
    token_revoke(token=revoked)

    assert purge_dead_credentials() == {"challenges": 1, "tokens": 0}
    assert list(SignInChallenge.objects.all()) == [waiting]
    assert client_with_token(used_token).get(PROTECTED).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        # The waiting challenge has long expired; the revoked token has been dead a month.
        # The live token expired too (30-day lifetime), so it goes as well only a month later.
        result = purge_dead_credentials()
    assert result["challenges"] == 1
    assert not SignInChallenge.objects.exists()
    assert not ApiToken.objects.filter(pk=revoked.pk).exists()
    assert ApiToken.objects.filter(user=practitioner).exists()
