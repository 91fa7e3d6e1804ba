from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: administrators may search the log but never change it."""

    list_display = ("at", "action", "actor_id", "actor_role", "object_type", "object_id", "subject_id", "detail")
    list_filter = ("action", "actor_role", "object_type")
    search_fields = ("object_id", "request_id")
    date_hierarchy = "at"
    list_select_related = False
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
