"""The outbox: queue messages inside the caller's transaction, send them exactly once."""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .messages import render_message
from .models import Channel, Notification, Status
from .transports import PermanentSendError, TransientSendError, Transport, transport_for

logger = logging.getLogger(__name__)


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
    notification, created = Notification.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "channel": channel,
            "template": template,
            "recipient": recipient,
            "context_json": json.dumps(context, default=str),
            "subject_id": subject_id,
            "next_attempt_at": send_after or timezone.now(),
        },
    )
    if created and (send_after is None or send_after <= timezone.now()):
        transaction.on_commit(lambda: enqueue(notification.pk))
    return notification


def enqueue(notification_id: int, countdown: float | None = None) -> bool:
    """Hand a send to Celery; a broker outage is logged and left to the sweep."""
    from .tasks import send_notification

    try:
        send_notification.apply_async(args=[notification_id], countdown=countdown)
    except Exception:  # noqa: BLE001 - any broker failure; the row is safe in the database
        logger.warning("Broker unavailable; notification %s left for the sweep", notification_id)
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
                pk = notification.pk
                transaction.on_commit(lambda: enqueue(pk, countdown=delay.total_seconds()))
                logger.info("Notification %s will retry in %ss (%s)", pk, int(delay.total_seconds()), exc.code)
        else:
            notification.status = Status.SENT
            notification.sent_at = timezone.now()
            notification.provider_id = result.provider_id
            notification.last_error = ""
        notification.save(
            update_fields=["status", "attempts", "next_attempt_at", "sent_at", "provider_id", "last_error"]
        )
        return notification.status


def notifications_sweep(*, limit: int = 500) -> int:
    """Re-enqueue pending messages that are due: the safety net for lost broker messages."""
    ids = list(Notification.objects.due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for notification_id in ids:
        enqueue(notification_id)
    return len(ids)
