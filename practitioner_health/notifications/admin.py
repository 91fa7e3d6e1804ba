from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Notification

# What staff may see of a message's delivery: never its recipient or content.
DELIVERY_FIELDS = (
    "channel",
    "template",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "handed_at",
    "sent_at",
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery status for staff. Recipient and content are deliberately not shown."""

    list_display = ("id", *DELIVERY_FIELDS)
    list_filter = ("status", "channel", "template")
    fields = (*DELIVERY_FIELDS, "provider_id")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
