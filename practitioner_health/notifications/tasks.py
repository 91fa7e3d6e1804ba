from celery import shared_task

from .services import notification_send_safely, notifications_send, notifications_sweep


@shared_task(name="notifications.send")
def send_notification(notification_id: int) -> str:
    return notification_send_safely(notification_id=notification_id)


@shared_task(name="notifications.send_many")
def send_notifications(notification_ids: list[int]) -> dict[str, int]:
    """A batch of outbox ids (ids only, never content); each is sent at most once."""
    return notifications_send(notification_ids=notification_ids)


@shared_task(name="notifications.sweep_due")
def sweep_due() -> int:
    return notifications_sweep()
