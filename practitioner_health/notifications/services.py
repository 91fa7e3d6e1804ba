"""The outbox: queue messages inside the caller's transaction, send them exactly once."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import batched
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from ..logfilters import error_kind
from .messages import IndiscreetMessageError, render_message
from .models import Channel, Notification, Status
from .transports import PermanentSendError, TransientSendError, Transport, transport_for

logger = logging.getLogger(__name__)

# Ids per `notifications.send_many` task: few broker publishes for a big batch, and small
# enough that several workers share the sending of one.
SEND_BATCH_SIZE = 100


def notify(
    *,
    channel: Channel | str,
    template: str,
    recipient: str,
    context: dict[str, Any] | None = None,
    idempotency_key: str,
    subject_id: int | None = None,
    send_after: datetime | None = None,
) -> Notification:
    """Queue one message. Call inside the transaction that makes it necessary.

    Guarantees: the row commits or rolls back with the caller's change; the same
    idempotency key never queues a second message; the text passes the discretion check
    now (an indiscreet template raises here, not at send time); sending is enqueued only
    after commit, and the periodic sweep re-enqueues it if the broker was unreachable.
    """
    context = context or {}
    render_message(channel, template, context)
    now = timezone.now()
    send_now = _sends_now(send_after, now)
    notification, created = Notification.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "channel": channel,
            "template": template,
            "recipient": recipient,
            "context_json": json.dumps(context, default=str),
            "subject_id": subject_id,
            "next_attempt_at": send_after or now,
            # Handed to the broker straight after commit (enqueue() clears this if that fails).
            "handed_at": now if send_now else None,
        },
    )
    if created and send_now:
        transaction.on_commit(lambda: enqueue(notification.pk))
    return notification


@dataclass(frozen=True)
class OutgoingMessage:
    """One message for notify_many(): the same fields as notify() takes."""

    channel: Channel | str
    template: str
    recipient: str
    idempotency_key: str
    context: dict[str, Any] = field(default_factory=dict)
    subject_id: int | None = None


@dataclass
class QueuedMessages:
    """What notify_many() did, by idempotency key.

    `ids`: every accepted message's outbox row, whether queued now or already there under
    the same key. `created`: the ids of rows this call inserted. `refused`: the keys of
    messages the discretion check refused; nothing was queued for them.
    """

    ids: dict[str, int] = field(default_factory=dict)
    created: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def notify_many(messages: Iterable[OutgoingMessage], *, send_after: datetime | None = None) -> QueuedMessages:
    """Queue many messages at once. Call inside the transaction that makes them necessary.

    The same guarantees as notify(), message by message, in a fixed number of queries
    whatever the batch size (one insert; three when a key is already queued): the rows
    commit or roll back with the caller's change; a key already in the outbox (or repeated
    in the batch) never queues a second message, even with another transaction inserting
    the same key at the same moment (the unique key refuses the insert, and the retry
    skips the keys already there); every message's text passes the discretion check
    before anything is written. Unlike notify(), a refused message does not raise: it is
    left out and its key reported in `refused`, so one bad message does not stop the
    rest. Sending is enqueued only after commit, a batch of ids per broker publish, and
    the periodic sweep re-enqueues whatever the broker did not take.
    """
    now = timezone.now()
    result = QueuedMessages()
    accepted: dict[str, OutgoingMessage] = {}
    for message in messages:
        if message.idempotency_key in accepted or message.idempotency_key in result.refused:
            continue
        try:
            render_message(message.channel, message.template, message.context)
        except IndiscreetMessageError:
            result.refused.append(message.idempotency_key)
            continue
        accepted[message.idempotency_key] = message
    if not accepted:
        return result
    keys = list(accepted)
    rows = [_notification_row(accepted[key], send_after=send_after, now=now) for key in keys]
    try:
        # Usually no key is in the outbox yet: one insert, which returns the new ids. The
        # savepoint keeps the caller's transaction usable if one is.
        with transaction.atomic():
            Notification.objects.bulk_create(rows)
    except IntegrityError:
        existing = dict(Notification.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "pk"))
        new = [key for key in keys if key not in existing]
        Notification.objects.bulk_create(
            [_notification_row(accepted[key], send_after=send_after, now=now) for key in new], ignore_conflicts=True
        )
        inserted = dict(Notification.objects.filter(idempotency_key__in=new).values_list("idempotency_key", "pk"))
        # A key inserted by a concurrent transaction in between counts as created here; the
        # worst that does is enqueue its id twice, which sending (row lock, status) absorbs.
        result.created = [inserted[key] for key in new]
        existing.update(inserted)
        result.ids = {key: existing[key] for key in keys}
    else:
        result.created = [row.pk for row in rows]
        result.ids = {row.idempotency_key: row.pk for row in rows}
    if result.created and _sends_now(send_after, now):
        created = list(result.created)
        transaction.on_commit(lambda: enqueue_many(created))
    return result


def _sends_now(send_after: datetime | None, now: datetime) -> bool:
    """Whether a message is handed to the broker at commit, rather than left to the sweep until due."""
    return send_after is None or send_after <= now


def _notification_row(message: OutgoingMessage, *, send_after: datetime | None, now: datetime) -> Notification:
    return Notification(
        channel=message.channel,
        template=message.template,
        recipient=message.recipient,
        context_json=json.dumps(message.context, default=str),
        idempotency_key=message.idempotency_key,
        subject_id=message.subject_id,
        next_attempt_at=send_after or now,
        # Handed to the broker straight after commit (enqueue_many() clears this if that fails).
        handed_at=now if _sends_now(send_after, now) else None,
        created_at=now,
    )


def enqueue_many(notification_ids: Sequence[int]) -> int:
    """Hand sends to Celery, SEND_BATCH_SIZE ids per task; returns how many ids were handed over.

    At the first broker failure the rest are left to the sweep rather than each waiting
    for its own timeout: the rows are safe in the database.
    """
    from .tasks import send_notifications

    handed = 0
    for batch in batched(notification_ids, SEND_BATCH_SIZE):
        try:
            send_notifications.apply_async(args=[list(batch)])
        except Exception:  # noqa: BLE001 - any broker failure; the rows are safe in the database
            logger.warning("Broker unavailable; %s notifications left for the sweep", len(notification_ids) - handed)
            _not_handed(notification_ids[handed:])
            break
        handed += len(batch)
    return handed


def _not_handed(notification_ids: Sequence[int]) -> None:
    """Mark rows whose hand-over to the broker failed, so the next sweep takes them at once.

    If the database cannot be reached either, they keep their hand-over time and the sweep
    takes them once NOTIFICATION_SWEEP_GRACE_SECONDS have passed.
    """
    try:
        Notification.objects.filter(pk__in=list(notification_ids), status=Status.PENDING).update(handed_at=None)
    except DatabaseError as exc:
        logger.warning("Could not mark %s notifications for the sweep (%s)", len(notification_ids), error_kind(exc))


def enqueue(notification_id: int, countdown: float | None = None) -> bool:
    """Hand a send to Celery; a broker outage is logged and left to the sweep."""
    from .tasks import send_notification

    try:
        send_notification.apply_async(args=[notification_id], countdown=countdown)
    except Exception:  # noqa: BLE001 - any broker failure; the row is safe in the database
        logger.warning("Broker unavailable; notification %s left for the sweep", notification_id)
        _not_handed([notification_id])
        return False
    return True


def backoff_delay(attempts: int) -> timedelta:
    """Bounded exponential backoff with jitter: base * 2^(n-1), capped, +-10%."""
    seconds = min(
        settings.NOTIFICATION_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0),
        settings.NOTIFICATION_BACKOFF_MAX_SECONDS,
    )
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))


def notification_send(*, notification_id: int, transport: Transport | None = None) -> str:
    """Send one queued message if it is still pending and due. Returns the resulting status.

    The row is locked for the whole attempt, so a second run of the task (a retry, a
    duplicate enqueue from the sweep) waits or skips and then sees it already sent. A
    worker killed mid-send rolls the transaction back and the row stays pending.
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).first()
        if notification is None:
            return "locked-or-missing"
        if notification.status != Status.PENDING:
            return notification.status
        if notification.next_attempt_at > timezone.now():
            return "not-due"
        message = render_message(notification.channel, notification.template, notification.context)
        sender = transport or transport_for(notification.channel)
        notification.attempts += 1
        try:
            result = sender.send(notification.recipient, message)
        except PermanentSendError as exc:
            notification.status = Status.FAILED
            notification.last_error = exc.code
            logger.warning("Notification %s failed permanently (%s)", notification.pk, exc.code)
        except TransientSendError as exc:
            notification.last_error = exc.code
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.status = Status.FAILED
                logger.warning("Notification %s gave up after %s attempts", notification.pk, notification.attempts)
            else:
                delay = backoff_delay(notification.attempts)
                notification.next_attempt_at = timezone.now() + delay
                notification.handed_at = notification.next_attempt_at  # when the retry's task runs
                pk = notification.pk
                transaction.on_commit(lambda: enqueue(pk, countdown=delay.total_seconds()))
                logger.info("Notification %s will retry in %ss (%s)", pk, int(delay.total_seconds()), exc.code)
        else:
            notification.status = Status.SENT
            notification.sent_at = timezone.now()
            notification.provider_id = result.provider_id
            notification.last_error = ""
        notification.save(
            update_fields=["status", "attempts", "next_attempt_at", "handed_at", "sent_at", "provider_id", "last_error"]
        )
        return notification.status


def notification_send_safely(*, notification_id: int) -> str:
    """notification_send(), with anything unexpected it raises counted as a failed attempt.

    A send error from the provider is handled inside notification_send(). Anything else (a
    bug, a row that cannot be rendered) would otherwise roll the attempt back and leave the
    row pending, for the sweep to retry every minute for ever without anyone seeing it; it
    is now retried with backoff and, after NOTIFICATION_MAX_ATTEMPTS, marked failed, which
    puts it on the helpline dashboard. A lost database is not counted (nothing can be).
    """
    try:
        return notification_send(notification_id=notification_id)
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:  # noqa: BLE001 - recorded against the row, then reported by class name
        logger.error("Notification %s could not be sent (%s)", notification_id, error_kind(exc))
        _unexpected_failure_record(notification_id, exc)
        return "error"


def _unexpected_failure_record(notification_id: int, exc: Exception) -> None:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=Status.PENDING)
            .first()
        )
        if notification is None:
            return
        notification.attempts += 1
        notification.last_error = f"internal {error_kind(exc)}"[:120]
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            notification.status = Status.FAILED
            logger.warning("Notification %s gave up after %s attempts", notification.pk, notification.attempts)
        else:
            notification.next_attempt_at = timezone.now() + backoff_delay(notification.attempts)
            notification.handed_at = None  # no task is queued for the retry: the sweep sends it when due
        notification.save(update_fields=["status", "attempts", "next_attempt_at", "handed_at", "last_error"])


def notifications_send(*, notification_ids: Sequence[int]) -> dict[str, int]:
    """Send several queued messages, each exactly as notification_send() does; counts by status.

    Each message is its own transaction under its own row lock, so running the same batch
    twice (a duplicate enqueue, the sweep, a redelivery after a lost worker) sends nothing
    twice, and a message that raises is logged by id and counted as a failed attempt
    (see notification_send_safely) without stopping the others.
    """
    counts: dict[str, int] = {}
    for notification_id in notification_ids:
        try:
            outcome = notification_send_safely(notification_id=notification_id)
        except Exception as exc:  # noqa: BLE001 - one bad row must not hold up the rest of the batch
            logger.error("Notification %s could not be sent (%s)", notification_id, error_kind(exc))
            outcome = "error"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# Rows re-enqueued per sweep (each minute). Published SEND_BATCH_SIZE ids at a time, so a
# backlog of 100k left by a broker outage is handed back in 20 minutes, not hours.
SWEEP_LIMIT = 5000


def notifications_sweep(*, limit: int = SWEEP_LIMIT) -> int:
    """Re-enqueue pending messages that are due and have no send task waiting: the safety net
    for a broker that was down, a lost task or a worker that died mid-send.

    A message handed to the broker less than NOTIFICATION_SWEEP_GRACE_SECONDS ago is left to
    the task already queued for it, so a backlog (100k reminders at once) is not handed over
    again every minute while the workers work through it.
    """
    now = timezone.now()
    handed_before = now - timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    ids = list(
        Notification.objects.due(now)
        .unhanded(handed_before=handed_before)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        Notification.objects.filter(pk__in=ids).update(handed_at=now)
        enqueue_many(ids)
    return len(ids)
