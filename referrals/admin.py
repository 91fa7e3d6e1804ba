"""Service administrators see the imported register (read-only). Referrals are worked by handlers, not here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .eligibility import registration_index
from .models import Register, RegisterEntry


@admin.register(RegisterEntry)
class RegisterEntryAdmin(admin.ModelAdmin):
    """Loaded by `manage.py import_register`; search by exact registration number (through the blind index)."""

    list_display = ("register", "status", "status_text", "imported_at")
    list_filter = ("register", "status")
    readonly_fields = ("register", "number", "surname", "given_names", "status", "status_text", "imported_at")
    exclude = ("number_index", "row_hash")
    search_fields = ("number_index",)
    search_help_text = "Enter a GMC or GDC number exactly."
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[RegisterEntry], search_term: str
    ) -> tuple[QuerySet[RegisterEntry], bool]:
        number = "".join(search_term.split())
        if not number:
            return queryset, False
        indexes = [registration_index(register, number) for register in Register.values]
        return queryset.filter(number_index__in=indexes), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
