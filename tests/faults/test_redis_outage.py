"""Redis stopped while self-referrals are being sent: every referral the person saw confirmed
is in the database, and every confirmation message is delivered, once, when Redis is back.

The broker here is a Redis of this test's own, stopped and started again on the same port.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import close_old_connections

from practitioner_health.notifications.models import Notification, Status
from practitioner_health.notifications.services import notifications_sweep
from referrals.models import Referral
from tests.faults.conftest import own_broker, refer, reference_on
from tests.support.celery_worker import running_worker, wait_until
from tests.support.services import RedisServer

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_referrals_sent_while_redis_is_down_are_kept_and_their_messages_sent_once_it_is_back(
    fake_twilio, settings
) -> None:  # type: ignore[no-untyped-def]
    # The first referral's tasks are queued while Redis is up and lost when it stops (no
    # persistence): the sweep hands them over again once this grace has passed.
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 2
    redis = RedisServer().start()
    url = f"redis://127.0.0.1:{redis.port}/1"
    confirmed: list[str] = []
    try:
        with own_broker(url):
            confirmed.append(reference_on(refer(1)[1]))  # Redis up
            redis.stop()
            for n in (2, 3):  # Redis down: the person still sees their confirmation
                _, page = refer(n)
                assert page.status_code == 200
                confirmed.append(reference_on(page))

            assert set(Referral.objects.filter(reference__in=confirmed).values_list("reference", flat=True)) == set(
                confirmed
            )
            assert fake_twilio.messages() == [] and mail.outbox == []

            redis = RedisServer(port=redis.port).start()
            with running_worker():

                def all_sent() -> bool:
                    notifications_sweep()  # what beat runs every minute
                    close_old_connections()
                    return not Notification.objects.exclude(status=Status.SENT).exists()

                wait_until(all_sent, timeout=60, interval=0.5)
                # A later sweep finds nothing left to send.
                assert notifications_sweep() == 0
    finally:
        redis.stop()

    # Every queued message went exactly once: as many texts and emails as rows.
    assert len(fake_twilio.messages()) == Notification.objects.filter(channel="sms").count()
    assert len(mail.outbox) == Notification.objects.filter(channel="email").count()
    for reference in confirmed:
        texts = [m for m in fake_twilio.messages() if reference in m.form["Body"]]
        emails = [m for m in mail.outbox if reference in m.body]
        assert len(texts) == 1, reference
        assert len(emails) == 1, reference
