"""Property-based tests of the whole API from its own OpenAPI schema (schemathesis).

The schema is the one /api/v1/schema/ serves, generated from the code. Every operation is
called through the real WSGI application with data generated from it, signed in as a
practitioner who has a referral, a clinician, an appointment and open slots, with a fresh
token for every call (so a generated sign-out does not end the run early). Every answer
must have a documented status, content type, headers and body: never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.tokens import token_issue
from practitioner_health.accounts.models import User
from tests.clinicians.factories import SlotFactory, booked, episode_for, in_days

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


class InTestTransaction:
    """The project's WSGI application, minus the end-of-request connection close.

    The WSGI handler closes the database connection after each request, which inside a test
    would end the test's transaction; Django's own test client disconnects it the same way.
    """

    def __init__(self) -> None:
        self.application = get_wsgi_application()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return list(self.application(environ, start_response))
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))
)
schema.app = InTestTransaction()


@pytest.fixture
def generous_limits(settings) -> None:  # type: ignore[no-untyped-def]
    # This test is about correctness, not throttling (that is tested in test_auth).
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "100000/minute"),
    }
    settings.REFERRAL_RATE_LIMIT_SUBMISSIONS = 100000
    cache.clear()


@pytest.fixture
def signed_in(practitioner: User, clinician: User, generous_limits: None) -> User:
    episode = episode_for(practitioner, clinician, status="assigned")
    booked(episode, start=in_days(6, 10))
    for day in range(7, 10):
        SlotFactory(clinician=episode.clinician, start=in_days(day, 11))
    return practitioner


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented(case: schemathesis.Case, signed_in: User) -> None:
    token = token_issue(user=signed_in).secret
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
