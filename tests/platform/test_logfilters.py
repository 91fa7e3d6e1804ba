"""A flood of identical log records becomes one a minute, each saying how many were held back."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from practitioner_health.logfilters import WITHHELD_PATH, RepeatedRecordFilter


@pytest.fixture
def flood_logger(caplog: pytest.LogCaptureFixture) -> Iterator[logging.Logger]:
    logger = logging.getLogger("tests.flood")
    logger.addFilter(RepeatedRecordFilter(seconds=60))
    caplog.set_level(logging.WARNING, logger="tests.flood")
    yield logger
    logger.filters.clear()


def test_a_run_of_identical_records_is_logged_once_a_minute(
    flood_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(500):
            flood_logger.error("Exception ignored")
        flood_logger.error("Something else")
        assert [r.getMessage() for r in caplog.records] == ["Exception ignored", "Something else"]

        clock.shift(timedelta(seconds=61))
        flood_logger.error("Exception ignored")

    assert caplog.records[-1].getMessage() == "Exception ignored (499 more like it held back since the last one logged)"


def test_the_cache_logger_is_filtered_in_the_settings() -> None:
    assert any(isinstance(f, RepeatedRecordFilter) for f in logging.getLogger("django_redis.cache").filters)


@pytest.mark.django_db
def test_an_address_someone_typed_is_withheld_from_the_request_log(
    client_for, handler, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="django.request")
    client = client_for(handler)

    assert client.get("/someone@example.org/").status_code == 404
    # One of the service's own addresses (ids only) is kept: it says which page was refused.
    assert client.get("/helpline/referral/999999/").status_code == 404

    messages = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert messages == [f"Not Found: {WITHHELD_PATH}", "Not Found: /helpline/referral/999999/"]
    assert "someone@example.org" not in caplog.text
