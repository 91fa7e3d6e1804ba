"""A flood of identical log records becomes one a minute, each saying how many were held back."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from practitioner_health.logfilters import RepeatedRecordFilter


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
