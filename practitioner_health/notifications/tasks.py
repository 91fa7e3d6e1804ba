from celery import shared_task

from .services import notification_send, notifications_sweep


@shared_task(name="notifications.send")
def send_notification(notification_id: int) -> str:
    return notification_send(notification_id=notification_id)


@shared_task(name="notifications.sweep_due")
def sweep_due() -> int:
    return notifications_sweep()
