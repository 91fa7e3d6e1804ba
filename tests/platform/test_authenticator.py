"""Authenticator apps: the shared secret is encrypted at rest, and secrets kept in clear by
the device model used before are moved into the encrypted one."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.util import random_hex

from practitioner_health.accounts.models import Authenticator, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def code_for(secret_hex: str) -> str:
    return f"{totp(bytes.fromhex(secret_hex), step=Authenticator.STEP, digits=Authenticator.DIGITS):06d}"


def test_the_secret_is_not_in_the_database_in_any_form_an_app_could_use(handler) -> None:  # type: ignore[no-untyped-def]
    device = Authenticator.objects.get(user=handler)
    secret_hex = device.secret
    secret_b32 = device.config_url.split("secret=")[1].split("&")[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_authenticator WHERE id = %s", [device.pk])
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert len(secret_hex) == 40 and secret_hex.lower() not in stored.lower()
    assert secret_b32 not in stored
    # ...and it still gives the codes the app shows.
    assert device.verify_token(code_for(secret_hex))


def test_the_set_up_qr_code_names_the_service_and_the_account(client_for) -> None:  # type: ignore[no-untyped-def]
    handler = UserFactory(role=Role.HANDLER, totp=False, email="sam.handler@example.nhs.uk")
    client = Client()
    client.post("/account/sign-in/", {"username": handler.email, "password": PASSWORD})
    page = client.get("/account/authenticator/").content.decode()
    device = Authenticator.objects.get(user=handler, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/Practitioner%20Health%3Asam.handler%40example.nhs.uk?")
    assert "issuer=Practitioner%20Health" in device.config_url and "digits=6" in device.config_url
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert shown == device.config_url.split("secret=")[1].split("&")[0]


def test_wrong_codes_are_throttled_and_a_code_is_never_accepted_twice(handler) -> None:  # type: ignore[no-untyped-def]
    device = Authenticator.objects.get(user=handler)
    code = code_for(device.secret)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert not device.verify_token(wrong)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert not device.verify_token(code), "throttled: even the right code waits"
    device.throttle_reset()
    assert not device.verify_token("not a code")
    device.throttle_reset()
    assert device.verify_token(code)
    assert not device.verify_token(code), "the same code again"


def test_secrets_kept_in_clear_before_are_moved_into_the_encrypted_table() -> None:
    migration = importlib.import_module("practitioner_health.accounts.migrations.0002_authenticator")
    staff = UserFactory(role=Role.CLINICIAN, totp=False)
    secret = random_hex(20)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_totp_totpdevice (id serial PRIMARY KEY, user_id bigint, name varchar(64), "
            "confirmed boolean, key varchar(80), step smallint, t0 bigint, digits smallint, drift smallint, "
            "last_t bigint, last_used_at timestamptz)"
        )
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice (user_id, name, confirmed, key, step, t0, digits, drift, last_t) "
            "VALUES (%s, 'Authenticator app', true, %s, 30, 0, 6, 0, -1)",
            [staff.pk, secret],
        )
    with connection.schema_editor() as editor:
        migration.seal_existing_secrets(apps, editor)

    moved = Authenticator.objects.get(user=staff)
    assert moved.confirmed and moved.secret == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0, "no clear secret left behind"
        cursor.execute("SELECT secret FROM accounts_authenticator WHERE user_id = %s", [staff.pk])
        assert secret not in cursor.fetchone()[0]
    client = Client()
    client.post("/account/sign-in/", {"username": staff.email, "password": PASSWORD})
    assert client.post("/account/sign-in/code/", {"token": code_for(secret)}).status_code == 302
