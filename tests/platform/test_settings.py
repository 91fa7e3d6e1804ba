"""Configuration fails loudly, production passes check --deploy, and keys behave."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from practitioner_health import env
from practitioner_health.accounts.checks import canary_errors

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 20 + "production-secret-key-with-plenty-of-entropy-0123456789",
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "BLIND_INDEX_KEY": "production-blind-index-key",
    "ALLOWED_HOSTS": "ph.example.nhs.uk",
    "DATABASE_URL": "postgres://ph:secret@db.internal:5432/ph",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_FROM_NUMBER": "+447700900000",
    "PUBLIC_URL": "https://ph.example.nhs.uk",
}


def _manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(extra_env, DJANGO_SETTINGS_MODULE="practitioner_health.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_with_no_warnings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets() -> None:
    incomplete = {k: v for k, v in PRODUCTION_ENV.items() if k != "FIELD_ENCRYPTION_KEY"}
    result = _manage("check", extra_env=incomplete)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


def test_a_bad_boolean_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env.env_bool("SOME_FLAG", False)


def test_a_bad_number_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be a whole number"):
        env.env_int("SOME_NUMBER", 1)


def test_secrets_can_come_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("MY_SECRET_FILE", str(secret))
    assert env.env_str("MY_SECRET") == "from-a-file"


def test_a_comma_separated_key_list_becomes_a_list_for_rotation(settings) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(settings.FIELD_ENCRYPTION_KEY, list)


def test_database_urls_parse() -> None:
    config = env.database_from_url("postgres://u:p%40ss@db:6543/name")
    assert (config["HOST"], config["PORT"], config["PASSWORD"], config["NAME"]) == ("db", "6543", "p@ss", "name")
    assert env.database_from_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(ImproperlyConfigured):
        env.database_from_url("mysql://x/y")


@pytest.mark.django_db
def test_the_start_up_check_fails_loudly_with_the_wrong_key() -> None:
    assert canary_errors() == []
    wrong = MultiFernet([Fernet(Fernet.generate_key())])
    errors = canary_errors(wrong)
    assert [error.id for error in errors] == ["accounts.E001"]


@pytest.mark.django_db
def test_rotation_re_encrypts_everything_with_the_newest_key(practitioner, settings) -> None:  # type: ignore[no-untyped-def]
    from encrypted_model_fields import fields

    old_crypter = fields.CRYPTER
    new_key = Fernet.generate_key()
    rotated = MultiFernet([Fernet(new_key), *old_crypter._fernets])
    fields.CRYPTER = rotated
    try:
        call_command("rotate_encryption_keys", stdout=open(os.devnull, "w"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT email FROM accounts_user WHERE id = %s", [practitioner.pk])
            ciphertext = cursor.fetchone()[0]
        assert Fernet(new_key).decrypt(ciphertext.encode()).decode() == practitioner.email
        assert canary_errors(MultiFernet([Fernet(new_key)])) == []
    finally:
        fields.CRYPTER = old_crypter


def test_the_compose_file_is_valid() -> None:
    client = shutil.which("docker-compose")
    if client is None:
        # The compose file is still parsed as YAML with the required services.
        import yaml  # type: ignore[import-untyped]

        data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
        assert {"web", "worker", "beat", "db", "redis"} <= set(data["services"])
        return
    result = subprocess.run(
        [client, "-f", "docker-compose.yml", "config", "-q"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_each_test_process_queues_celery_tasks_on_its_own_broker_database() -> None:
    """Celery takes CELERY_BROKER_URL from the environment first: the per-process database
    chosen in the test settings must be the one it uses, or a Celery thread in one test
    process takes tasks queued by another, whose rows it cannot see."""
    from django.conf import settings

    from practitioner_health.celery import app

    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        assert settings.CELERY_BROKER_URL.endswith(f"/{int(worker[2:]) + 2}")
