"""The outbox: queued in the caller's transaction, sent exactly once, never lost."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from practitioner_health.notifications.messages import (
    FORBIDDEN_WORDS,
    IndiscreetMessageError,
    indiscreet_words,
    render_message,
)
from practitioner_health.notifications.models import Channel, Notification, Status
from practitioner_health.notifications.services import (
    OutgoingMessage,
    enqueue_many,
    notification_send,
    notifications_send,
    notifications_sweep,
    notify,
    notify_many,
)
from practitioner_health.notifications.tasks import send_notification, send_notifications
from tests.support.celery_worker import broker, running_worker, wait_until
from tests.support.fake_twilio import ScriptedResponse
from tests.support.services import RedisServer

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"


def queue_sms(key: str = "test-sms-1") -> Notification:
    return notify(
        channel=Channel.SMS,
        template="login_code_sms_test",
        recipient="+447700900123",
        context={"code": "123456"},
        idempotency_key=key,
    )


@pytest.fixture(autouse=True)
def sms_template(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A discreet SMS template for these tests, alongside the real templates."""
    folder = tmp_path / "notifications"
    folder.mkdir()
    (folder / "login_code_sms_test.sms.txt").write_text("Your code is {{ code }}. PH Service")
    (folder / "indiscreet_test.sms.txt").write_text("Your therapy appointment is tomorrow")
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES]


@pytest.mark.django_db
def test_sms_goes_through_the_real_twilio_library_to_the_provider(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    notification = queue_sms()
    assert notification_send(notification_id=notification.pk) == Status.SENT
    [sent] = fake_twilio.messages()
    assert sent.path == "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json"
    assert sent.form == {"To": "+447700900123", "From": "+447700900000", "Body": "Your code is 123456. PH Service"}
    assert sent.headers["Authorization"].startswith("Basic ")
    notification.refresh_from_db()
    assert notification.provider_id.startswith("SM")


@pytest.mark.django_db
def test_running_the_send_task_twice_sends_once(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    notification = queue_sms()
    notification_send(notification_id=notification.pk)
    notification_send(notification_id=notification.pk)
    assert len(fake_twilio.messages()) == 1


@pytest.mark.django_db
def test_queuing_twice_with_one_key_makes_one_message(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    first = queue_sms("same-key")
    second = queue_sms("same-key")
    assert first.pk == second.pk
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_message_at_once_send_it_once(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    notification = queue_sms()
    fake_twilio.fail_next(ScriptedResponse(status=201, delay=0.5))  # hold the first send open
    barrier = threading.Barrier(2)
    results: list[str] = []

    def send() -> None:
        barrier.wait()
        try:
            results.append(notification_send(notification_id=notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["locked-or-missing", "sent"]
    assert len(fake_twilio.messages()) == 1


@pytest.mark.django_db
def test_a_transient_failure_is_retried_with_backoff_and_then_succeeds(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    fake_twilio.fail_next(ScriptedResponse(status=503), ScriptedResponse(status=500, twilio_code=20500))
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        notification = queue_sms()
        assert notification_send(notification_id=notification.pk) == Status.PENDING
        notification.refresh_from_db()
        first_delay = notification.next_attempt_at - timezone.now()
        assert timedelta(seconds=25) <= first_delay <= timedelta(seconds=35)
        assert notification_send(notification_id=notification.pk) == "not-due", "not retried before its time"
        traveller.shift(first_delay)
        assert notification_send(notification_id=notification.pk) == Status.PENDING
        notification.refresh_from_db()
        second_delay = notification.next_attempt_at - timezone.now()
        assert second_delay > first_delay, "backoff grows"
        traveller.shift(second_delay)
        assert notification_send(notification_id=notification.pk) == Status.SENT
    notification.refresh_from_db()
    assert notification.attempts == 3
    assert len(fake_twilio.messages()) == 1


@pytest.mark.django_db
def test_retries_stop_after_the_maximum_attempts(fake_twilio, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    fake_twilio.fail_next(ScriptedResponse(status=503), ScriptedResponse(status=503))
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        notification = queue_sms()
        notification_send(notification_id=notification.pk)
        traveller.shift(timedelta(hours=2))
        assert notification_send(notification_id=notification.pk) == Status.FAILED


@pytest.mark.django_db
def test_an_invalid_number_fails_permanently_and_is_not_retried(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    fake_twilio.fail_next(ScriptedResponse(status=400, twilio_code=21211))
    notification = queue_sms()
    assert notification_send(notification_id=notification.pk) == Status.FAILED
    notification.refresh_from_db()
    assert notification.last_error == "twilio_21211"
    assert notifications_sweep() == 0, "a failed message is not swept again"
    assert Notification.objects.failed().count() == 1


@pytest.mark.django_db
def test_an_unsubscribed_number_fails_permanently(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    fake_twilio.fail_next(ScriptedResponse(status=400, twilio_code=21610))
    notification = queue_sms()
    assert notification_send(notification_id=notification.pk) == Status.FAILED


@pytest.mark.django_db
def test_failed_messages_are_visible_to_staff_without_their_content(client_for, admin_user, fake_twilio) -> None:  # type: ignore[no-untyped-def]
    fake_twilio.fail_next(ScriptedResponse(status=400, twilio_code=21211))
    notification = queue_sms()
    notification_send(notification_id=notification.pk)
    page = client_for(admin_user).get("/admin/notifications/notification/?status__exact=failed")
    assert page.status_code == 200
    assert b"twilio_21211" in page.content
    assert b"+447700900123" not in page.content and b"123456" not in page.content


@pytest.mark.django_db
def test_the_recipient_and_content_are_encrypted_at_rest() -> None:
    notification = queue_sms()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT recipient, context_json FROM notifications_notification WHERE id = %s", [notification.pk]
        )
        recipient, context = cursor.fetchone()
    assert "7700900123" not in recipient
    assert "123456" not in context


@pytest.mark.django_db
def test_a_message_naming_the_service_purpose_is_refused_when_queued() -> None:
    with pytest.raises(IndiscreetMessageError, match="therapy"):
        notify(channel=Channel.SMS, template="indiscreet_test", recipient="+447700900123", idempotency_key="x")
    assert not Notification.objects.exists()


def test_every_message_template_is_discreet() -> None:
    files = sorted(TEMPLATES.glob("*.txt"))
    assert files, "message templates exist"
    for path in files:
        found = indiscreet_words(path.read_text())
        assert not found, f"{path.name} contains {found}"
    assert "mental health" in FORBIDDEN_WORDS and "addiction" in FORBIDDEN_WORDS


@pytest.mark.django_db
def test_email_is_sent_from_a_neutral_sender() -> None:
    notification = notify(
        channel=Channel.EMAIL,
        template="login_code",
        recipient="dr@example.nhs.uk",
        context={"code": "654321"},
        idempotency_key="email-1",
    )
    assert notification_send(notification_id=notification.pk) == Status.SENT
    [email] = mail.outbox
    assert email.from_email.startswith("PH Service")
    assert email.subject == "Your sign-in code"
    assert "654321" in email.body
    assert not indiscreet_words(email.subject + email.body)


def test_rendering_an_unknown_template_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="No sms template"):
        render_message(Channel.SMS, "no-such-template", {})


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_messages_wait_and_the_sweep_sends_them_when_it_is_back(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    redis = RedisServer()  # not started yet: the broker is unreachable
    try:
        with broker(redis.url):
            with transaction.atomic():
                notification = queue_sms("outage-1")
            # The commit went through even though enqueueing failed.
            notification.refresh_from_db()
            assert notification.status == Status.PENDING
            assert fake_twilio.messages() == []

            redis.start()
            with running_worker():
                assert notifications_sweep() == 1  # what beat runs every minute

                def delivered() -> bool:
                    close_old_connections()
                    return Notification.objects.get(pk=notification.pk).status == Status.SENT

                wait_until(delivered)
            assert len(fake_twilio.messages()) == 1
    finally:
        redis.stop()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_committed_message_is_sent_by_the_worker_after_commit(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    with running_worker():
        with transaction.atomic():
            notification = queue_sms("after-commit-1")
            assert fake_twilio.messages() == [], "nothing is sent before the commit"
        wait_until(lambda: len(fake_twilio.messages()) == 1)
    notification.refresh_from_db()
    assert notification.status == Status.SENT


def sms_message(key: str, template: str = "login_code_sms_test") -> OutgoingMessage:
    return OutgoingMessage(
        channel=Channel.SMS,
        template=template,
        recipient="+447700900123",
        context={"code": "123456"},
        idempotency_key=key,
    )


@pytest.fixture
def publishes(monkeypatch) -> list[list[Any]]:  # type: ignore[no-untyped-def]
    """The argument lists handed to the broker for batch sends, in order, without a broker."""
    sent: list[list[Any]] = []
    monkeypatch.setattr(send_notifications, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    return sent


@pytest.mark.django_db
def test_many_messages_are_queued_in_one_insert_and_handed_to_the_broker_in_batches_after_commit(
    publishes, django_assert_max_num_queries, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    messages = [sms_message(f"batch-{n}") for n in range(250)]
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_max_num_queries(3):  # a savepoint, the insert, its release
            queued = notify_many(messages)
        assert publishes == [], "nothing is enqueued before the commit"

    rows = Notification.objects.order_by("pk")
    assert [n.idempotency_key for n in rows] == [m.idempotency_key for m in messages]
    assert queued.ids == {n.idempotency_key: n.pk for n in rows}
    assert queued.created == [n.pk for n in rows] and queued.refused == []
    # Ids only, a hundred to a publish.
    assert [len(batch) for batch in publishes] == [100, 100, 50]
    assert [pk for batch in publishes for pk in batch] == queued.created
    assert all(type(pk) is int for batch in publishes for pk in batch)
    assert rows[0].recipient == "+447700900123" and rows[0].context == {"code": "123456"}


@pytest.mark.django_db
def test_queuing_many_never_queues_a_key_twice(publishes, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    first = queue_sms("already-1")
    with django_capture_on_commit_callbacks(execute=True):
        queued = notify_many([sms_message("already-1"), sms_message("new-1"), sms_message("new-1")])
    new = Notification.objects.get(idempotency_key="new-1")
    assert Notification.objects.count() == 2
    assert queued.ids == {"already-1": first.pk, "new-1": new.pk}
    assert queued.created == [new.pk]
    assert publishes == [[new.pk]], "only what this call queued is enqueued"

    with django_capture_on_commit_callbacks(execute=True):
        again = notify_many([sms_message("already-1"), sms_message("new-1")])
    assert again.created == [] and again.ids == queued.ids
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_message_is_left_out_of_a_batch_and_the_rest_are_queued() -> None:
    queued = notify_many([sms_message("good-1"), sms_message("bad-1", "indiscreet_test"), sms_message("good-2")])
    assert queued.refused == ["bad-1"]
    assert set(queued.ids) == {"good-1", "good-2"}
    assert set(Notification.objects.values_list("idempotency_key", flat=True)) == {"good-1", "good-2"}


@pytest.mark.django_db
def test_a_batch_carries_on_past_a_message_that_cannot_be_sent_and_sends_nothing_twice(fake_twilio, caplog) -> None:  # type: ignore[no-untyped-def]
    good = queue_sms("good-1")
    broken = Notification.objects.create(
        channel=Channel.SMS, template="no-such-template", recipient="+447700900999", idempotency_key="broken-1"
    )
    with caplog.at_level(logging.ERROR, logger="practitioner_health.notifications.services"):
        assert notifications_send(notification_ids=[broken.pk, good.pk]) == {"error": 1, Status.SENT: 1}
    # Run again at once: the good one is not sent twice, the broken one is backing off.
    assert notifications_send(notification_ids=[broken.pk, good.pk]) == {"not-due": 1, Status.SENT: 1}
    assert len(fake_twilio.messages()) == 1
    broken.refresh_from_db()
    assert broken.status == Status.PENDING, "retried later, with backoff"
    assert (broken.attempts, broken.last_error) == (1, "internal ValueError")
    # By id and error class only, never the recipient.
    assert {r.getMessage() for r in caplog.records} == {f"Notification {broken.pk} could not be sent (ValueError)"}


@pytest.mark.django_db
def test_a_message_that_keeps_failing_unexpectedly_gives_up_and_shows_on_the_helpline_dashboard(
    client_for, handler, settings
) -> None:  # type: ignore[no-untyped-def]
    """Not retried every minute for ever by the sweep, unseen: after the usual attempts it is failed."""
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    broken = Notification.objects.create(
        channel=Channel.SMS, template="no-such-template", recipient="+447700900999", idempotency_key="broken-2"
    )
    for _ in range(3):
        Notification.objects.filter(pk=broken.pk).update(next_attempt_at=timezone.now())  # as if its time came
        send_notification(broken.pk)
    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == (Status.FAILED, 3)
    assert notifications_sweep() == 0
    assert "Error internal ValueError" in client_for(handler).get("/helpline/").content.decode()


@pytest.mark.django_db
def test_with_the_broker_down_a_batch_tries_one_publish_and_leaves_the_rest_to_the_sweep(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    attempts: list[list[int]] = []

    def unreachable(args: list[list[int]], **kwargs: Any) -> None:
        attempts.append(args[0])
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(send_notifications, "apply_async", unreachable)
    with caplog.at_level(logging.WARNING, logger="practitioner_health.notifications.services"):
        assert enqueue_many(list(range(1, 251))) == 0
    assert len(attempts) == 1, "no waiting on a timeout per batch"
    assert [r.getMessage() for r in caplog.records] == ["Broker unavailable; 250 notifications left for the sweep"]


@pytest.mark.django_db
def test_the_sweep_hands_due_messages_over_in_batches(publishes) -> None:  # type: ignore[no-untyped-def]
    # The test's transaction never commits, so nothing is published: as if the task queued for
    # each had been lost (a broker restarted without its data, or a process that died after commit).
    ids = notify_many([sms_message(f"swept-{n}") for n in range(150)]).created
    assert publishes == []
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS + 1)):
        assert notifications_sweep() == 150
    assert sorted(pk for batch in publishes for pk in batch) == sorted(ids)
    assert len(publishes) == 2


@pytest.mark.django_db
def test_the_sweep_leaves_a_message_handed_over_recently_to_the_task_queued_for_it(publishes) -> None:  # type: ignore[no-untyped-def]
    """A backlog (a reminder run of 100k) is not handed over again each minute while workers send it."""
    grace = timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ids = notify_many([sms_message(f"backlog-{n}") for n in range(3)]).created  # handed over at commit
        clock.shift(grace - timedelta(seconds=1))
        assert notifications_sweep() == 0 and publishes == []
        clock.shift(timedelta(seconds=2))  # still not sent: its task was lost
        assert notifications_sweep() == 3
        assert sorted(publishes[0]) == sorted(ids)
        clock.shift(timedelta(seconds=60))  # the next sweep: handed over again a minute ago
        assert notifications_sweep() == 0


@pytest.mark.django_db
def test_a_message_whose_hand_over_failed_is_swept_at_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ids = notify_many([sms_message(f"refused-{n}") for n in range(3)]).created

    def unreachable(args: list[list[int]], **kwargs: Any) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(send_notifications, "apply_async", unreachable)
    assert enqueue_many(ids) == 0  # what runs after commit
    monkeypatch.undo()
    sent: list[list[int]] = []
    monkeypatch.setattr(send_notifications, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    assert notifications_sweep() == 3 and sorted(sent[0]) == sorted(ids)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_batch_waits_and_the_sweep_sends_each_message_once(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    redis = RedisServer()  # not started yet: the broker is unreachable
    try:
        with broker(redis.url):
            with transaction.atomic():
                queued = notify_many([sms_message(f"batch-outage-{n}") for n in range(3)])
            # The commit went through even though enqueueing failed.
            assert Notification.objects.filter(status=Status.PENDING).count() == 3
            assert fake_twilio.messages() == []

            redis.start()
            with running_worker():
                assert notifications_sweep() == 3  # what beat runs every minute
                enqueue_many(queued.created)  # and a duplicate, as a late broker retry might make

                def delivered() -> bool:
                    close_old_connections()
                    return Notification.objects.filter(status=Status.SENT).count() == 3

                wait_until(delivered)
            assert len(fake_twilio.messages()) == 3
    finally:
        redis.stop()


def test_a_name_with_an_apostrophe_reads_as_typed_in_every_email_and_text() -> None:
    rendered = render_message(Channel.EMAIL, "referral_received", {"name": "Siobhán O'Brien & Co", "reference": "PH-1"})
    assert "O'Brien & Co" in rendered.body
    assert "&#x27;" not in rendered.body and "&amp;" not in rendered.body
    for path in sorted(TEMPLATES.glob("*.txt")):
        name, channel = path.name.split(".")[:2]
        if channel == "subject":
            continue
        body = render_message(
            {"email": Channel.EMAIL, "sms": Channel.SMS, "voice": Channel.VOICE}[channel], name, {"name": "O'Brien"}
        ).body
        assert "&#x27;" not in body, path.name
