"""Rebuilding the monthly facts the dashboard reads.

`facts_refresh(month=...)` is the one writer of the fact tables: it replaces one month's
facts, counted by `reporting.facts`, in one transaction. The beat jobs, the management
command, the demo seed and a service admin's button all come through here.
"""

from __future__ import annotations

import logging
import time as clock
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from referrals.models import Referral
from triage.models import CallbackAttempt

from .facts import Stopwatch, fact_rows
from .models import FACT_MODELS, FactsRefresh
from .periods import add_months, current_month, month_bounds, month_start, months_between

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


def facts_refresh(*, month: date) -> None:
    """Replace one month's facts with a fresh count, in one transaction.

    `month` is any day in the month (it is taken as the whole calendar month, in UK time).
    Readers keep seeing the previous facts until the new ones are committed; two refreshes
    of the same month take turns (the month's FactsRefresh row is locked). Running it twice
    gives the same rows. Refuses a month that has not started yet.
    """
    month = month_start(month)
    if month > current_month():
        raise ValueError(f"{month:%B %Y} has not started yet")
    started = clock.perf_counter()
    start, end = month_bounds(month)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Short GROUP BY queries with correlated subqueries: PostgreSQL's JIT would spend
                # longer compiling them than they take to run.
                cursor.execute("SET LOCAL jit = off")
        FactsRefresh.objects.get_or_create(month=month)
        marker = FactsRefresh.objects.select_for_update().get(month=month)
        for model in FACT_MODELS:
            model._default_manager.filter(month=month).delete()
        stopwatch = Stopwatch()
        by_model: dict[type[Any], list[Any]] = defaultdict(list)
        for row in fact_rows(month, start, end, stopwatch):
            by_model[type(row)].append(row)
        for model, rows in by_model.items():
            stopwatch.time("writing", partial(model._default_manager.bulk_create, rows, batch_size=BATCH_SIZE))
        marker.refreshed_at = timezone.now()
        marker.seconds = round(clock.perf_counter() - started, 3)
        marker.refreshes += 1  # the row is locked, so no refresh of the month is lost
        marker.save(update_fields=["refreshed_at", "seconds", "refreshes"])
    logger.info("Reporting facts for %s refreshed in %.2fs (%s)", f"{month:%Y-%m}", marker.seconds, stopwatch)


def facts_refresh_months(*, months: Iterable[date]) -> list[date]:
    """Refresh each month in turn (one transaction each); returns the months refreshed."""
    done = []
    for month in sorted({month_start(m) for m in months}):
        facts_refresh(month=month)
        done.append(month)
    return done


def facts_refresh_recent() -> list[date]:
    """The beat job: this month and last month, where nearly every change lands."""
    this_month = current_month()
    return facts_refresh_months(months=[add_months(this_month, -1), this_month])


def facts_refresh_last_year() -> list[date]:
    """The nightly job: the last 12 months, catching late changes such as eligibility decided
    long after a referral arrived."""
    this_month = current_month()
    return facts_refresh_months(months=months_between(add_months(this_month, -11), this_month))


def months_with_data() -> list[date]:
    """From the month of the earliest referral or callback attempt to this month."""
    earliest = [
        value
        for value in (
            Referral.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first(),
            CallbackAttempt.objects.order_by("started_at").values_list("started_at", flat=True).first(),
        )
        if value is not None
    ]
    if not earliest:
        return [current_month()]
    first = month_start(timezone.localtime(min(earliest)).date())
    return months_between(first, current_month())


def facts_refresh_all() -> list[date]:
    return facts_refresh_months(months=months_with_data())


def facts_refresh_request(*, months: Iterable[date]) -> None:
    """Ask the worker to refresh these months once the current transaction commits.

    A broker outage is logged, not raised: the beat job refreshes recent months anyway,
    and the dashboard shows when each month was last refreshed.
    """
    wanted = [f"{month_start(m):%Y-%m}" for m in sorted(set(months))]

    def enqueue() -> None:
        from .tasks import refresh_facts

        try:
            refresh_facts.delay(wanted)
        except Exception:  # noqa: BLE001 - any broker failure; nothing is lost but a little time
            logger.warning("Broker unavailable; reporting refresh of %d months not queued", len(wanted))

    transaction.on_commit(enqueue)
