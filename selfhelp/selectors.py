"""Reads other apps may use (referrals' ineligible pages use the signposting directory)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import SignpostingEntry


def signposting_entries(*, category: str | None = None, nation: str | None = None) -> QuerySet[SignpostingEntry]:
    entries = SignpostingEntry.objects.active()
    if category is not None:
        entries = entries.filter(category=category)
    if nation is not None:
        entries = entries.filter(nation=nation)
    return entries
