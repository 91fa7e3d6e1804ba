"""Beat and on-demand jobs that rebuild the dashboard's monthly facts. All idempotent."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from .services import facts_refresh_last_year, facts_refresh_months, facts_refresh_recent


@shared_task(name="reporting.refresh_recent_facts")
def refresh_recent_facts() -> list[str]:
    return [f"{month:%Y-%m}" for month in facts_refresh_recent()]


@shared_task(name="reporting.refresh_last_year_facts")
def refresh_last_year_facts() -> list[str]:
    return [f"{month:%Y-%m}" for month in facts_refresh_last_year()]


@shared_task(name="reporting.refresh_facts")
def refresh_facts(months: list[str]) -> list[str]:
    """Refresh the given months ("YYYY-MM"), as asked for from the dashboard."""
    wanted = [date.fromisoformat(f"{month}-01") for month in months]
    return [f"{month:%Y-%m}" for month in facts_refresh_months(months=wanted)]
