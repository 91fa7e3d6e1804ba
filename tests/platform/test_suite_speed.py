"""The quick loop stays quick: `make test-fast` leaves out the slow kinds of test by what they
use, not by anyone remembering a marker, and every test has a time limit."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher

import tests.platform.test_notifications as notifications_tests
import tests.selfhelp.test_questionnaires as questionnaire_tests
from tests.conftest import SLOW_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
MIXED = "tests/platform/test_notifications.py"  # some tests start a Celery worker, most do not
BROWSER = "tests/platform/test_browser.py"
FAULTS = "tests/faults/test_twilio_outage.py"
QUICK = "tests/platform/test_sessions.py"
PROPERTIES = "tests/selfhelp/test_questionnaires.py"  # one property-based test among quick ones


def _collected(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {line for line in result.stdout.splitlines() if "::" in line}


def _starts_a_worker(node_id: str) -> bool:
    name = node_id.split("::")[1].split("[")[0]
    return "running_worker" in inspect.getsource(getattr(notifications_tests, name))


def _is_property_based(node_id: str) -> bool:
    name = node_id.split("::")[1].split("[")[0]
    return bool(getattr(getattr(questionnaire_tests, name), "is_hypothesis_test", False))


@pytest.mark.slow  # two runs of pytest's collection
def test_the_fast_run_leaves_out_browser_worker_and_fault_tests_and_keeps_the_rest() -> None:
    everything = _collected(MIXED, BROWSER, FAULTS, QUICK, PROPERTIES)
    fast = _collected("-m", "not slow", MIXED, BROWSER, FAULTS, QUICK, PROPERTIES)

    assert not {test for test in fast if test.startswith((BROWSER, FAULTS))}
    assert {test for test in everything if test.startswith(QUICK)} <= fast
    with_worker = {test for test in everything if test.startswith(MIXED) and _starts_a_worker(test)}
    assert with_worker, "the example file no longer starts a worker: pick another"
    assert not with_worker & fast
    assert {test for test in everything if test.startswith(MIXED)} - with_worker <= fast
    property_based = {test for test in everything if test.startswith(PROPERTIES) and _is_property_based(test)}
    assert property_based, "the example file no longer has a property-based test: pick another"
    assert not property_based & fast
    assert {test for test in everything if test.startswith(PROPERTIES)} - property_based <= fast


def test_a_quick_test_has_the_default_time_limit(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("timeout") is None
    assert float(request.config.getini("timeout")) == 120


@pytest.mark.slow
def test_a_slow_test_has_a_longer_time_limit(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("timeout").args == (SLOW_TIMEOUT,)
    assert SLOW_TIMEOUT > 120


def test_passwords_are_hashed_quickly_in_tests_and_with_argon2_elsewhere(tmp_path: Path) -> None:
    assert get_hasher().algorithm == "md5"
    production = subprocess.run(
        [sys.executable, "-c", "from practitioner_health import settings; print(settings.PASSWORD_HASHERS[0])"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DJANGO_ENV": "embedded", "VAR_DIR": str(tmp_path)},
    )
    assert production.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher", production.stderr
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
