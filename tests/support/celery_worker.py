"""A real Celery worker in a thread of the test process, and a way to swap brokers."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from practitioner_health.celery import app


@contextmanager
def running_worker() -> Iterator[None]:
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        yield


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Point the Celery app at another broker for the duration (e.g. one a test will stop).

    Celery prefers the CELERY_BROKER_URL environment variable (set by `make test`) over
    its configuration, so the variable moves too.
    """
    original = app.conf.broker_url
    original_env = os.environ.get("CELERY_BROKER_URL")
    _reset_pool()
    app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    try:
        yield
    finally:
        _reset_pool()
        app.conf.broker_url = original
        if original_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = original_env


def _reset_pool() -> None:
    # Celery caches connections in three places: the app's pool, the AMQP producer pool and
    # kombu's global per-connection pools. All must go for a new broker URL to take effect.
    from kombu import pools

    pool = app._pool
    if pool is not None:
        pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout}s")
