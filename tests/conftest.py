"""Shared fixtures: personas for every role, signed-in clients, and helpers.

Personas follow STYLE.md: a practitioner, another practitioner, a handler, a clinician,
another clinician, a commissioner and an admin. `client_for(user)` gives a client signed
in *and* past the second factor, as a real session would be.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any

import pytest
from django.apps import AppConfig
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_migrate
from django.dispatch import receiver
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


# Which tests `make test-fast` leaves out, decided here so a new test is classified by what it
# uses rather than by someone remembering a marker:
# - browser: it drives Chromium (it uses Playwright's `page`);
# - services: it starts services of its own (a Celery worker, gunicorn, another PostgreSQL or
#   Redis), as every test in tests/faults and tests/bench does;
# - slow: either of those, a property-based (Hypothesis) test, which runs its body for many
#   examples, or marked slow by hand; these get SLOW_TIMEOUT instead of the default timeout
#   in pyproject.toml.
SERVICE_DIRECTORIES = ("faults", "bench")
# Names that, used by a test or one of its fixtures, mean it starts a service.
SERVICE_NAMES = frozenset({"running_worker", "gunicorn", "PostgresServer", "RedisServer"})
BROWSER_FIXTURES = frozenset({"page", "signed_in_page"})
SLOW_TIMEOUT = 600


def _names_used(item: pytest.Item) -> set[str]:
    functions = [getattr(item, "function", None)]
    fixture_info = getattr(item, "_fixtureinfo", None)
    if fixture_info is not None:
        functions += [d.func for defs in fixture_info.name2fixturedefs.values() for d in defs]
    codes = [function.__code__ for function in functions if hasattr(function, "__code__")]
    names: set[str] = set()
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [const for const in code.co_consts if isinstance(const, CodeType)]  # nested functions
    return names


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests_dir = Path(__file__).parent
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        in_directory = item.path.relative_to(tests_dir).parts[0] if item.path.is_relative_to(tests_dir) else ""
        if in_directory in SERVICE_DIRECTORIES or _names_used(item) & SERVICE_NAMES:
            item.add_marker(pytest.mark.services)
        property_based = getattr(getattr(item, "function", None), "is_hypothesis_test", False)
        if item.get_closest_marker("browser") or item.get_closest_marker("services") or property_based:
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("slow") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT))


# What the data migrations load: regions and services, the signposting directory, the
# starter articles and the bank holidays (in an order that keeps foreign keys satisfied).
REFERENCE_MODELS = (Region, Service, SignpostingEntry, Article, BankHoliday)
_reference_rows: dict[type[Model], list[Model]] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Once per worker, as soon as its test database is made: keep the reference data its
    migrations loaded, so that `_reference_data_restored` can put it back after each flush."""
    with django_db_blocker.unblock():
        for model in REFERENCE_MODELS:
            _reference_rows[model] = list(model._base_manager.order_by("pk"))


@receiver(post_migrate, dispatch_uid="tests-reference-data-restored")
def _reference_data_restored(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Transactional tests (browser, fault and Celery tests) end by emptying every table with
    `flush`, which then sends post_migrate (content types and permissions come back the same
    way); put the reference data back here, one insert per table, so every later test on the
    worker finds it. (Django's serialized rollback keeps its copy on the connection object,
    which is not the same object in every test here, and restores every table, content types
    included, one row at a time.)"""
    if sender.label != Region._meta.app_label or not _reference_rows:
        return
    if Region._base_manager.using(using).exists():
        return
    with transaction.atomic(using=using):
        for model, rows in _reference_rows.items():
            if rows:
                # What loading a fixture does, for a whole table at once: the rows exactly as
                # they were (no auto_now stamps, no save() side effects), keeping their ids.
                model._base_manager.using(using)._insert(
                    rows, fields=model._meta.local_concrete_fields, raw=True, using=using
                )


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
