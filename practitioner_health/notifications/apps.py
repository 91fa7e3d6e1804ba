from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "practitioner_health.notifications"
    label = "notifications"
    verbose_name = "Notifications outbox"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the start-up check
