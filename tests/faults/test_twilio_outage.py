"""The SMS provider fails (500s, then a timeout) and recovers: the real worker retries with
backoff and the message is delivered exactly once. A permanent error (21211, invalid
number) is not retried and shows on the helpline dashboard."""

from __future__ import annotations

import time

import pytest
from django.db import close_old_connections, transaction

from practitioner_health.accounts.models import Role
from practitioner_health.notifications.models import Channel, Notification, Status
from practitioner_health.notifications.services import notifications_sweep, notify
from tests.factories import UserFactory
from tests.support.celery_worker import running_worker, wait_until
from tests.support.fake_twilio import ScriptedResponse

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CONTEXT = {"reference": "PH-TEST-0001", "helpline": "0300 030 3300", "name": "Dr Test"}


def queue_sms(key: str, recipient: str = "+447700900555") -> Notification:
    with transaction.atomic():
        return notify(
            channel=Channel.SMS,
            template="referral_received",
            recipient=recipient,
            context=CONTEXT,
            idempotency_key=key,
        )


def status_of(notification: Notification) -> Notification:
    close_old_connections()
    return Notification.objects.get(pk=notification.pk)


def test_failures_then_recovery_deliver_the_message_once_after_backing_off(fake_twilio, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_BACKOFF_BASE_SECONDS = 1
    settings.NOTIFICATION_MAX_ATTEMPTS = 6
    settings.TWILIO_HTTP_TIMEOUT = 1
    fake_twilio.fail_next(
        ScriptedResponse(status=500),
        ScriptedResponse(status=500),
        # Held past the client's timeout: the provider never accepted it.
        ScriptedResponse(status=503, delay=2.5),
    )
    started = time.monotonic()
    with running_worker():
        notification = queue_sms("outage-recovery-1")
        wait_until(lambda: status_of(notification).status == Status.SENT, timeout=60)
    elapsed = time.monotonic() - started
    sent = status_of(notification)
    assert sent.attempts == 4
    assert len(fake_twilio.messages()) == 1
    assert fake_twilio.messages()[0].form["To"] == "+447700900555"
    # Backoff of about 1, 2 and 4 seconds (each +-10%) between the four attempts.
    assert elapsed >= 0.9 * (1 + 2 + 4)


def test_a_permanent_error_is_not_retried_and_is_shown_to_the_helpline(fake_twilio, settings, client_for) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_BACKOFF_BASE_SECONDS = 1
    fake_twilio.fail_next(ScriptedResponse(status=400, twilio_code=21211))
    with running_worker():
        notification = queue_sms("permanent-1", recipient="+447700900556")
        wait_until(lambda: status_of(notification).status == Status.FAILED, timeout=30)
        # The sweep (what beat runs every minute) does not pick a failed message up again.
        assert notifications_sweep() == 0
    failed = status_of(notification)
    assert failed.attempts == 1
    assert failed.last_error == "twilio_21211"
    assert fake_twilio.script == [] and fake_twilio.messages() == []

    page = client_for(UserFactory(role=Role.HANDLER)).get("/helpline/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Messages that could not be sent" in body
    section = body.split('id="queue-failed-messages"', 1)[1].split("<h2", 1)[0]
    assert "1</span>" in section
    assert "+447700900556" not in body
