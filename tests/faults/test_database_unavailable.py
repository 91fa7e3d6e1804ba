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


def test_other_errors_are_left_to_the_normal_error_handling() -> None:
    middleware = DatabaseUnavailableMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("boom")) is None
