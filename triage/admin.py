"""Service administrators keep the helpline's bank holidays: the opening-hours rule reads them."""

from __future__ import annotations

from django.contrib import admin

from .models import BankHoliday


@admin.register(BankHoliday)
class BankHolidayAdmin(admin.ModelAdmin):
    """England's bank holidays, plus any day the service closes the line (for example a training day)."""

    list_display = ("date", "name")
    date_hierarchy = "date"
    search_fields = ("name",)
    ordering = ("-date",)
