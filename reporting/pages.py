"""The dashboard's figures as HTML, kept in the shared cache until their facts are counted again.

The figures for a set of filters only change when `services.facts_refresh` replaces the facts
of a month on show, so the rendered summary, tables and charts are cached under the filters,
this month (the referrals line and "so far" labels move with it) and when and how often each
month on show was counted, read in one small query. A refresh on any node, or a flushed or
unreachable cache, therefore just means counting the figures afresh.

What is cached is rendered without the request: no CSRF token, no user, no messages, and so
the same for everyone who may see the dashboard (the refresh form is added by the page).
It holds only aggregates that have been through disclosure control in
`selectors.dashboard_figures` (small numbers suppressed, others rounded): nothing personal
and no free text.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.core import signing
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from . import charts
from .figures import Filters
from .periods import current_month
from .selectors import dashboard_figures, facts_counted, months_on_show

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60
# The fragments go back on the page as markup, so each is signed with the site's secret key:
# whoever can write to the cache (Redis) still cannot put HTML on the dashboard.
_SIGNER = signing.Signer(salt="reporting.dashboard-sections")
# Part of every key: change it when the fragments' markup changes, so no page mixes old and new.
VERSION = 3


@dataclass(frozen=True)
class Sections:
    """The dashboard's figures as HTML: before the refresh button, and after it; and when the
    months on show were counted (read afresh on every request, never cached: "12 minutes ago"
    is only true now)."""

    summary: SafeString
    figures: SafeString
    last_counted: datetime | None = None
    first_counted: datetime | None = None

    @property
    def counted_words(self) -> str:
        """How old the figures are, in words, e.g. "Figures counted 12 minutes ago"."""
        if self.last_counted is None:
            return "These figures have not been counted yet."
        said = f"Figures counted {_ago(self.last_counted)}"
        if self.first_counted is not None and _ago(self.first_counted) != _ago(self.last_counted):
            said += f"; the earliest of the months shown was counted {_ago(self.first_counted)}"
        return f"{said}."


def _ago(when: datetime) -> str:
    now = timezone.now()
    if now - when < timedelta(minutes=1):
        return "just now"
    return f"{timesince(when, now, depth=1)} ago"


def _key(query: str, counted: dict[date, tuple[datetime, int]]) -> str:
    generation = ";".join(
        f"{month:%Y-%m}={refreshed_at.isoformat()}/{refreshes}"
        for month, (refreshed_at, refreshes) in sorted(counted.items())
    )
    digest = hashlib.sha256(f"{query}|{current_month():%Y-%m}|{generation}".encode()).hexdigest()
    return f"reporting:dashboard:v{VERSION}:{digest}"


def _cached(key: str) -> Sections | None:
    try:
        found = cache.get(key)
    except Exception:  # a broken cache costs a recount, never the page
        logger.warning("Reporting cache unavailable; figures counted afresh", exc_info=True)
        return None
    if not (isinstance(found, tuple) and len(found) == 2 and all(isinstance(part, str) for part in found)):
        return None
    try:
        summary, figures = (_SIGNER.unsign(part) for part in found)
    except signing.BadSignature:
        # Not written by this service with its key: never shown as markup.
        logger.warning("Reporting cache entry with a bad signature ignored; figures counted afresh")
        return None
    # Written by `dashboard_sections` from autoescaped templates, and signed by it.
    return Sections(mark_safe(summary), mark_safe(figures))  # noqa: S308


def _store(key: str, sections: Sections) -> None:
    try:
        cache.set(key, (_SIGNER.sign(sections.summary), _SIGNER.sign(sections.figures)), CACHE_SECONDS)
    except Exception:  # as above: the next request counts them again
        logger.warning("Reporting cache unavailable; figures not kept", exc_info=True)


def dashboard_sections(filters: Filters, *, query: str) -> Sections:
    """The figures for these filters as HTML; `query` is the filters' normalised GET query
    (it keys the cache, and the CSV link in the summary uses it)."""
    # Read before the facts: if a refresh commits in between, the newer figures are kept under
    # the older key, which no later request asks for, rather than older figures under the newer.
    counted = facts_counted(months_on_show(filters))
    key = _key(query, counted)
    sections = _cached(key)
    if sections is None:
        figures = dashboard_figures(filters, counted=counted)
        context = {"dashboard": figures, "charts": charts.dashboard_charts(figures), "query": query}
        sections = Sections(
            render_to_string("reporting/includes/summary.html", context),
            render_to_string("reporting/includes/figures.html", context),
        )
        _store(key, sections)
    times = [refreshed_at for refreshed_at, _ in counted.values()]
    return replace(sections, last_counted=max(times, default=None), first_counted=min(times, default=None))
