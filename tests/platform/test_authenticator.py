"""Second factors at rest: the authenticator app's secret is encrypted, backup codes and
emailed codes are kept only as keyed hashes, and what the django-otp devices used before
kept in clear is moved (or cleared) by the migrations."""

from __future__ import annotations

import importlib
import re

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.util import random_hex

from practitioner_health.accounts.models import Authenticator, BackupCode, BackupCodes, EmailCode, Role
from practitioner_health.accounts.services import backup_codes_generate
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


def _row_text(table: str, **where: object) -> str:
    column, value = next(iter(where.items()))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {column} = %s", [value])
        return " ".join(str(cell) for row in cursor.fetchall() for cell in row)


def test_backup_codes_are_kept_only_as_hashes_and_each_works_once(clinician) -> None:  # type: ignore[no-untyped-def]
    codes = backup_codes_generate(user=clinician)
    device = BackupCodes.objects.get(user=clinician)
    stored = _row_text("accounts_backupcode", device_id=device.pk)
    assert len(codes) == 10 and not any(code in stored for code in codes)

    assert device.verify_token(codes[0].upper().replace("", " ").strip())  # as read out: capitals, spaces
    assert not device.verify_token(codes[0]), "used"
    assert BackupCode.objects.filter(device=device).count() == 9
    other = UserFactory(role=Role.CLINICIAN)
    backup_codes_generate(user=other)
    other_device = BackupCodes.objects.get(user=other)
    other_device.throttle_reset()
    assert not other_device.verify_token(codes[1]), "a code is bound to its own account"
    backup_codes_generate(user=clinician)
    device.throttle_reset()
    assert not device.verify_token(codes[2]), "a new set replaces the old"


def test_an_emailed_code_is_kept_only_as_a_hash_and_expires(practitioner) -> None:  # type: ignore[no-untyped-def]
    device = EmailCode.objects.create(user=practitioner, name="email")
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False):
        older = device.issue(valid_seconds=600)
        code = device.issue(valid_seconds=600)
        assert code not in _row_text("accounts_emailcode", id=device.pk)
        if older != code:
            assert not device.verify_token(older), "a newer code replaces the older"
            device.throttle_reset()
    with time_machine.travel("2026-11-24 10:09:59+00:00", tick=False):
        assert device.verify_token(code)
        assert not device.verify_token(code), "used"
    with time_machine.travel("2026-11-24 11:00:00+00:00", tick=False):
        device.throttle_reset()
        late = device.issue(valid_seconds=600)
    with time_machine.travel("2026-11-24 11:10:01+00:00", tick=False):
        assert not device.verify_token(late), "expired"


def test_backup_codes_kept_in_clear_before_are_hashed_and_old_email_codes_cleared() -> None:
    migration = importlib.import_module("practitioner_health.accounts.migrations.0003_one_use_codes")
    staff = UserFactory(role=Role.COMMISSIONER)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_static_staticdevice (id serial PRIMARY KEY, user_id bigint, name varchar(64), "
            "confirmed boolean)"
        )
        cursor.execute("CREATE TABLE otp_static_statictoken (id serial PRIMARY KEY, device_id int, token varchar(16))")
        cursor.execute("CREATE TABLE otp_email_emaildevice (id serial PRIMARY KEY, user_id bigint, token varchar(16))")
        cursor.execute(
            "INSERT INTO otp_static_staticdevice (user_id, name, confirmed) VALUES (%s, 'backup', true) RETURNING id",
            [staff.pk],
        )
        old_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO otp_static_statictoken (device_id, token) VALUES (%s, 'abcd2345'), (%s, 'wxyz6723')",
            [old_id, old_id],
        )
        cursor.execute("INSERT INTO otp_email_emaildevice (user_id, token) VALUES (%s, '123456')", [staff.pk])
    with connection.schema_editor() as editor:
        migration.hash_existing_codes(apps, editor)

    with connection.cursor() as cursor:
        for table in ("otp_static_statictoken", "otp_static_staticdevice", "otp_email_emaildevice"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] == 0, table
    client = Client()
    client.post("/account/sign-in/", {"username": staff.email, "password": PASSWORD})
    assert client.post("/account/sign-in/code/", {"token": "wxyz6723"}).status_code == 302
    assert BackupCode.objects.filter(device__user=staff).count() == 1


def test_a_service_admin_resets_a_lost_second_factor_and_it_is_audited(client_for, admin_user, handler) -> None:  # type: ignore[no-untyped-def]
    from practitioner_health.audit.models import AuditEvent

    backup_codes = backup_codes_generate(user=handler)
    response = client_for(admin_user).post(
        "/admin/accounts/user/",
        {"action": "second_factor_reset", "_selected_action": [handler.pk]},
        follow=True,
    )
    assert "Second factor reset for 1 account." in response.content.decode()
    assert not Authenticator.objects.filter(user=handler).exists()
    assert not BackupCode.objects.filter(device__user=handler).exists()
    assert AuditEvent.objects.filter(subject_id=handler.pk, detail="second factor reset").count() == 1

    client = Client()
    signed_in = client.post("/account/sign-in/", {"username": handler.email, "password": PASSWORD})
    assert signed_in["Location"] == "/account/authenticator/"
    client.post("/account/sign-in/code/", {"token": backup_codes[0]})
    assert client.get("/helpline/").status_code == 302, "an old backup code no longer passes"


def test_the_security_page_says_how_someone_signs_in_and_staff_cannot_drop_their_app(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    backup_codes_generate(user=handler)
    client = client_for(handler)
    page = client.get("/account/security/").content.decode()
    assert "Set up on" in page and "10 left." in page
    assert 'href="/account/authenticator/">Move to a new phone' in page
    assert "Stop using the app" not in page and "service administrator" in page
    assert client.post("/account/security/authenticator/remove/").status_code == 403
    assert Authenticator.objects.filter(user=handler).exists()
    assert 'href="/account/security/">Sign-in and security' in client.get("/helpline/").content.decode()


def test_a_practitioner_goes_back_to_emailed_codes(client_for) -> None:  # type: ignore[no-untyped-def]
    from practitioner_health.audit.models import AuditEvent

    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    client = client_for(practitioner)
    assert "Stop using the app" in client.get("/account/security/").content.decode()
    page = client.post("/account/security/authenticator/remove/", follow=True).content.decode()
    assert "We will email you a code each time you sign in." in page
    assert "backup codes still work" not in page, "none to warn about"
    assert "Not set up. We email you a code each time you sign in." in page
    assert not Authenticator.objects.filter(user=practitioner).exists()
    assert AuditEvent.objects.filter(subject_id=practitioner.pk, detail="authenticator removed").exists()


def test_removing_the_app_says_the_backup_codes_still_work(client_for) -> None:  # type: ignore[no-untyped-def]
    from practitioner_health.accounts.services import backup_codes_generate

    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    backup_codes_generate(user=practitioner)
    page = client_for(practitioner).post("/account/security/authenticator/remove/", follow=True).content.decode()
    assert "Your backup codes still work: if you kept them on that phone, get new ones." in page
    assert "10 left." in page


def test_setting_up_an_app_on_a_new_phone_stops_the_old_one(handler) -> None:  # type: ignore[no-untyped-def]
    from practitioner_health.audit.models import AuditEvent

    old = Authenticator.objects.get(user=handler)
    old_secret = old.secret
    client = Client()
    client.post("/account/sign-in/", {"username": handler.email, "password": PASSWORD})
    client.post("/account/sign-in/code/", {"token": code_for(old_secret)})
    page = client.get("/account/authenticator/").content.decode()
    assert "codes from the old one stop working" in page
    new = Authenticator.objects.get(user=handler, confirmed=False)
    assert client.post("/account/authenticator/", {"token": code_for(new.secret)}).status_code == 200

    assert list(Authenticator.objects.filter(user=handler)) == [new]
    assert AuditEvent.objects.filter(subject_id=handler.pk, detail="authenticator replaced").exists()
    again = Client()
    again.post("/account/sign-in/", {"username": handler.email, "password": PASSWORD})
    again.post("/account/sign-in/code/", {"token": code_for(old_secret)})
    assert again.get("/helpline/").status_code == 302, "the lost phone's codes no longer sign in"


def test_the_admin_shows_what_someone_has_set_up_but_no_secret(client_for, admin_user, handler) -> None:  # type: ignore[no-untyped-def]
    codes = backup_codes_generate(user=handler)
    secret = Authenticator.objects.get(user=handler).secret
    page = client_for(admin_user).get(f"/admin/accounts/user/{handler.pk}/change/").content.decode()
    assert "Authenticator app set up on" in page and "10 backup codes left" in page
    assert secret not in page and not any(code in page for code in codes)
