"""A view that loses the database gets a friendly 503 "try again" page, never a traceback.

The end-to-end version (a real PostgreSQL restarted under load) is in test_postgres_restart.py.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory

from practitioner_health.middleware import DatabaseUnavailableMiddleware


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_connection_shows_a_try_again_page(error: type[Exception]) -> None:
    secret = "SELECT name FROM referrals_referral WHERE email = 'someone@example.org'"
    with mock.patch("practitioner_health.views.render", side_effect=error(secret)):
        response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Sorry, the service is busy" in body and "try again" in body
    assert "Traceback" not in body and "someone@example.org" not in body and "OperationalError" not in body


def test_the_log_says_what_failed_and_nothing_anyone_typed(caplog: pytest.LogCaptureFixture) -> None:
    typed = "/self-help/someone@example.org"  # a mistyped address is whatever someone typed
    secret = "SELECT name FROM referrals_referral WHERE email = 'someone@example.org'"
    # The not-found page loses the database while it renders.
    with mock.patch("practitioner_health.views.render", side_effect=OperationalError(secret)):
        response = Client(raise_request_exception=False).get(typed)
    assert response.status_code == 503
    assert [r.getMessage() for r in caplog.records if r.name == "practitioner_health.middleware"] == [
        "Database unavailable (OperationalError)"
    ]
    assert "someone@example.org" not in caplog.text


def test_other_errors_are_left_to_the_normal_error_handling() -> None:
    middleware = DatabaseUnavailableMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("boom")) is None


@pytest.mark.django_db
def test_losing_the_database_while_loading_the_session_is_a_503_too(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    """Middleware reads the session before any view runs; a view's error handling never sees it."""
    client = client_for(practitioner)
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is busy" in response.content.decode()


@pytest.mark.django_db
def test_any_other_error_outside_a_view_is_still_the_friendly_500_page(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    client = client_for(practitioner)
    client.raise_request_exception = False
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=RuntimeError("boom")):
        response = client.get("/")
    assert response.status_code == 500
    assert "boom" not in response.content.decode()
