"""A Celery worker killed (SIGKILL) in the middle of sending: the message is delivered exactly
once after a new worker starts.

The workers are real processes on a Redis of this test's own. The fake provider holds the
first request open, so the kill lands while the send is in flight; that request never gets
a successful answer, so "delivered" means exactly one successful provider response. The
killed worker's transaction (which held the message's row lock) rolls back and the row
stays pending; the sweep, which beat runs every minute, hands it to the new worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, transaction

from practitioner_health.notifications.models import Channel, Notification, Status
from practitioner_health.notifications.services import notifications_sweep, notify
from tests.faults.conftest import own_broker
from tests.support.celery_worker import wait_until
from tests.support.fake_twilio import ScriptedResponse
from tests.support.services import RedisServer

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)


@contextmanager
def worker_process(broker_url: str, twilio_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker process on this test's database and broker."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit((parts.scheme, parts.netloc, "/" + connection.settings_dict["NAME"], "", ""))
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
    env.update(
        DJANGO_SETTINGS_MODULE="practitioner_health.settings_test",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        REDIS_URL=broker_url,
        TWILIO_API_BASE=twilio_url,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "practitioner_health",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


def status_of(pk: int) -> str:
    close_old_connections()
    return Notification.objects.get(pk=pk).status


def test_a_worker_killed_mid_send_leaves_the_message_for_the_next_worker_to_send_once(fake_twilio, settings) -> None:  # type: ignore[no-untyped-def]
    # The killed worker's task is not redelivered before the broker's visibility timeout: the
    # sweep hands the message over again once this grace has passed.
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 2
    redis = RedisServer().start()
    # settings_test moves a broker URL to Redis database 1 when no pytest-xdist worker is named.
    broker_url = f"redis://127.0.0.1:{redis.port}/1"
    # The first request is held open well past the kill, and then refused: never delivered.
    fake_twilio.fail_next(ScriptedResponse(status=503, delay=8))
    try:
        with own_broker(broker_url):
            with worker_process(broker_url, fake_twilio.url) as first:
                with transaction.atomic():
                    notification = notify(
                        channel=Channel.SMS,
                        template="referral_received",
                        recipient="+447700900777",
                        context={"reference": "PH-KILL-0001", "helpline": "0300 030 3300", "name": "Dr Test"},
                        idempotency_key="worker-killed-1",
                    )
                # The script is popped when the request arrives: the send is now in flight.
                wait_until(lambda: fake_twilio.script == [], timeout=30)
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)
            assert status_of(notification.pk) == Status.PENDING
            assert fake_twilio.messages() == []

            with worker_process(broker_url, fake_twilio.url):

                def delivered() -> bool:
                    # What beat does every minute; the row lock is free once PostgreSQL has
                    # noticed the dead connection and rolled its transaction back.
                    notifications_sweep()
                    return status_of(notification.pk) == Status.SENT

                wait_until(delivered, timeout=60, interval=0.5)
        sent = Notification.objects.get(pk=notification.pk)
        assert len(fake_twilio.messages()) == 1
        assert fake_twilio.messages()[0].form["To"] == "+447700900777"
        # The killed attempt rolled back, so only the successful one is counted.
        assert sent.attempts == 1
    finally:
        redis.stop()
