"""Shared fixtures: personas for every role, signed-in clients, and helpers.

Personas follow STYLE.md: a practitioner, another practitioner, a handler, a clinician,
another clinician, a commissioner and an admin. `client_for(user)` gives a client signed
in *and* past the second factor, as a real session would be.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.core import serializers
from django.db import transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import settings as hypothesis_settings

from clinicians.models import Region, Service
from practitioner_health.accounts.models import Authenticator, Role, User
from practitioner_health.accounts.services import email_device
from selfhelp.models import Article, SignpostingEntry
from tests.factories import UserFactory
from triage.models import BankHoliday

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# In CI the property-based tests use a fixed seed, so a run is repeatable and a failure seen
# there is the one a developer reproduces; locally they explore new examples every run.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROLES = ("anonymous", "practitioner", "handler", "clinician", "commissioner", "service_admin")


@pytest.fixture(scope="session", autouse=True)
def _test_settings() -> None:
    """Every test runs on the test settings: a module imported while collecting must not swap them
    (importing the benchmark once did, on a worker that had not yet loaded its settings, which
    ran that worker's tests with the benchmark's logging and rate limits)."""
    from django.conf import settings

    assert settings.SETTINGS_MODULE == "practitioner_health.settings_test", settings.SETTINGS_MODULE


# What the data migrations load: regions and services, the signposting directory, the
# starter articles and the bank holidays.
REFERENCE_MODELS = (Region, Service, SignpostingEntry, Article, BankHoliday)


@pytest.fixture(scope="session")
def _reference_data(django_db_blocker: Any) -> str:
    with django_db_blocker.unblock():
        rows = [row for model in REFERENCE_MODELS for row in model._base_manager.order_by("pk")]
        return serializers.serialize("json", rows)


def _is_transactional(item: pytest.Item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    if "live_server" in fixtures or "transactional_db" in fixtures:
        return True
    marker = item.get_closest_marker("django_db")
    return marker is not None and bool(marker.kwargs.get("transaction") or marker.args[:1] == (True,))


@pytest.fixture(autouse=True)
def _reference_data_restored(request: pytest.FixtureRequest) -> None:
    """Transactional tests (browser, fault and Celery tests) end by emptying every table, which
    takes the migrations' reference data from every later test on the same worker; put it back
    first. (Django's serialized rollback keeps its copy on the connection object, which is not
    the same object in every test here, and restores every table, content types included.)"""
    if not _is_transactional(request.node):
        return
    request.getfixturevalue("transactional_db")
    # Taken at the worker's first transactional test, before anything has emptied the tables.
    reference_data = request.getfixturevalue("_reference_data")
    if not Region.objects.exists():
        with transaction.atomic():
            for row in serializers.deserialize("json", reference_data):
                row.save()


@pytest.fixture
def practitioner(db: None) -> User:
    return UserFactory(role=Role.PRACTITIONER, full_name="Dr Avery Example")


@pytest.fixture
def other_practitioner(db: None) -> User:
    return UserFactory(role=Role.PRACTITIONER, full_name="Dr Blake Other")


@pytest.fixture
def handler(db: None) -> User:
    return UserFactory(role=Role.HANDLER)


@pytest.fixture
def clinician(db: None) -> User:
    return UserFactory(role=Role.CLINICIAN)


@pytest.fixture
def other_clinician(db: None) -> User:
    return UserFactory(role=Role.CLINICIAN)


@pytest.fixture
def commissioner(db: None) -> User:
    return UserFactory(role=Role.COMMISSIONER)


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(role=Role.SERVICE_ADMIN)


def verified_client(user: User, client: Client | None = None) -> Client:
    """A client signed in as `user` who has passed the second factor this session."""
    client = client or Client()
    client.force_login(user)
    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = email_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    return verified_client


@pytest.fixture
def personas(
    practitioner: User, handler: User, clinician: User, commissioner: User, admin_user: User
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "practitioner": practitioner,
        "handler": handler,
        "clinician": clinician,
        "commissioner": commissioner,
        "service_admin": admin_user,
    }


# Browser tests: Debian's Chromium (Playwright cannot download its own here), one browser
# per test session, a fresh context per test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1024, "height": 768}, "locale": "en-GB"}


@pytest.fixture
def signed_in_page(live_server, page, client_for):  # type: ignore[no-untyped-def]
    """Return a function that signs `user` in to the browser page (session cookie) and returns the page."""

    def sign_in(user: User):  # type: ignore[no-untyped-def]
        client = client_for(user)
        cookie = client.cookies["sessionid"]
        page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        return page

    return sign_in


@pytest.fixture(scope="session")
def _fake_twilio_server():  # type: ignore[no-untyped-def]
    from tests.support.fake_twilio import FakeTwilio

    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_twilio(_fake_twilio_server, settings):  # type: ignore[no-untyped-def]
    """The fake Twilio API, emptied for this test, with settings pointing the real client at it."""
    _fake_twilio_server.reset()
    settings.TWILIO_API_BASE = _fake_twilio_server.url
    settings.SMS_TRANSPORT = "twilio"
    return _fake_twilio_server
