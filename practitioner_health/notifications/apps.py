from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "practitioner_health.notifications"
    label = "notifications"
    verbose_name = "Notifications outbox"
