"""Dates, times and places written the NHS way ("Tuesday 3 June at 2:30pm"), in UK time."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .models import ServiceCode, Site


def time_text(moment: datetime) -> str:
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if local.hour == 12 and local.minute == 0:
        return "midday"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def date_text(moment: datetime, *, year: bool = True) -> str:
    local = timezone.localtime(moment)
    text = f"{local:%A} {local.day} {local:%B}"
    return f"{text} {local.year}" if year else text


def when_text(moment: datetime, *, year: bool = True) -> str:
    return f"{date_text(moment, year=year)} at {time_text(moment)}"


def place_text(site: Site | None) -> str:
    """Where to go, for messages and pages: the site's name and address, or "by video"."""
    if site is None:
        return "by video"
    return f"{site.name}, {site.one_line_address}"


def services_text(codes: list[str] | tuple[str, ...]) -> str:
    """Service codes as a sentence part: ["assessment", "cbt"] -> "assessment, CBT".

    Names are lower-cased mid-sentence except abbreviations; an unknown code is shown as it is.
    """
    names = []
    for code in codes:
        label = str(ServiceCode(code).label) if code in ServiceCode.values else code
        names.append(label if label.isupper() else label.lower())
    return ", ".join(names)
