from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery status for staff. Recipient and content are deliberately not shown."""

    list_display = (
        "id",
        "channel",
        "template",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "handed_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "template")
    fields = (
        "channel",
        "template",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "handed_at",
        "sent_at",
        "provider_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
