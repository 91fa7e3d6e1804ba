"""`make run` is safe to show someone (DEBUG off unless asked for), and the addresses in
messages are as discreet as their words (a start-up check)."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks

from practitioner_health.notifications.checks import check_discreet_links, indiscreet_link_words
from tests.platform.test_settings import PRODUCTION_ENV, _manage

EMBEDDED = {"DJANGO_ENV": "embedded"}
SHOW_DEBUG = ["shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)"]


def test_the_embedded_mode_runs_without_debug_by_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _manage(*SHOW_DEBUG, extra_env={**EMBEDDED, "VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_a_developer_turns_debug_on_with_django_debug(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _manage(*SHOW_DEBUG, extra_env={**EMBEDDED, "VAR_DIR": str(tmp_path), "DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout


@pytest.mark.django_db
def test_an_unknown_page_gets_the_service_s_own_404_without_debug(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "URLconf" not in body


@pytest.mark.parametrize(
    "url",
    [
        "https://practitionerhealth.nhs.uk",
        "https://practitioner-health.example.org",
        "https://www.mental-health-doctors.example",
        "https://ph.example.nhs.uk/addiction/",
        "https://self_harm.example",
        "https://TherapyForDoctors.example",
    ],
)
def test_an_address_naming_the_service_or_a_condition_is_found(url: str) -> None:
    assert indiscreet_link_words(url)


@pytest.mark.parametrize(
    "url", ["https://ph.example.nhs.uk", "https://video.ph-service.example/room", "http://127.0.0.1:8000"]
)
def test_a_neutral_address_passes(url: str) -> None:
    assert indiscreet_link_words(url) == []


@pytest.mark.django_db
def test_the_start_up_check_refuses_an_indiscreet_public_url(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_URL = "https://practitionerhealth.nhs.uk"
    settings.VIDEO_BASE_URL = "https://video.example/therapy-room"
    errors = check_discreet_links()
    assert [error.id for error in errors] == ["notifications.E001", "notifications.E001"]
    assert "PUBLIC_URL" in errors[0].msg and "practitioner health" in errors[0].msg
    assert "VIDEO_BASE_URL" in errors[1].msg and "therapy" in errors[1].msg
    assert any(error.id == "notifications.E001" for error in run_checks())


def test_the_service_will_not_start_with_a_public_url_that_names_it() -> None:
    result = _manage("check", extra_env={**PRODUCTION_ENV, "PUBLIC_URL": "https://practitioner-health.nhs.uk"})
    assert result.returncode != 0
    assert "notifications.E001" in result.stderr
