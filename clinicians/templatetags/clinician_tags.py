"""Template filters for times, places and score changes written the NHS way."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from ..formatting import date_text, place_text, time_text, when_text

register = template.Library()


@register.filter
def when(value: datetime | None) -> str:
    return when_text(value) if value else ""


@register.filter
def nhs_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return date_text(value)
    return date_text(timezone.make_aware(datetime.combine(value, datetime.min.time())))


@register.filter
def nhs_time(value: datetime | None) -> str:
    return time_text(value) if value else ""


@register.filter
def place(slot: object) -> str:
    return place_text(getattr(slot, "site", None))


@register.filter
def change(value: int | None) -> str:
    """A change in score: "up 3", "down 5" or "no change" (words, not colour or arrows alone)."""
    if value is None:
        return ""
    if value == 0:
        return "no change"
    return f"up {value}" if value > 0 else f"down {-value}"
