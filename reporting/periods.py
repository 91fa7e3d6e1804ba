"""Months, NHS financial quarters and years, and their boundaries in UK time.

Facts are kept by calendar month, so every period the dashboard offers is a run of whole
months. Financial years run from April to March (the NHS reporting year).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

FINANCIAL_YEAR_START_MONTH = 4


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + (month.month - 1) + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Each month from `first` to `last` inclusive (both first days of months)."""
    months = []
    month = month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def current_month() -> date:
    return month_start(timezone.localdate())


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as [start, end) in UK local time: the clock change never moves a referral's month."""
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(month_start(month), time.min), zone)
    end = timezone.make_aware(datetime.combine(add_months(month_start(month), 1), time.min), zone)
    return start, end


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


def short_month_label(month: date) -> str:
    return f"{month:%b %Y}"


def financial_year_of(month: date) -> int:
    """The calendar year in which the month's financial year starts (2025 for 2025/26)."""
    return month.year if month.month >= FINANCIAL_YEAR_START_MONTH else month.year - 1


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Period:
    """A run of whole months, first to last inclusive, with how to say it."""

    first: date
    last: date
    label: str

    def __post_init__(self) -> None:
        if self.first.day != 1 or self.last.day != 1:
            raise ValueError("a period runs from the first day of one month to the first day of another")
        if self.first > self.last:
            raise ValueError("a period cannot end before it starts")

    @property
    def months(self) -> list[date]:
        return months_between(self.first, self.last)

    def __iter__(self) -> Iterator[date]:
        return iter(self.months)


def month_period(month: date) -> Period:
    return Period(month, month, month_label(month))


def quarter_period(year: int, quarter: int) -> Period:
    """Quarter 1 to 4 of financial year `year` (Q1 is April to June)."""
    first = add_months(date(year, FINANCIAL_YEAR_START_MONTH, 1), 3 * (quarter - 1))
    last = add_months(first, 2)
    label = f"Q{quarter} {financial_year_label(year)} ({first:%B} to {last:%B %Y})"
    return Period(first, last, label)


def year_period(year: int) -> Period:
    first = date(year, FINANCIAL_YEAR_START_MONTH, 1)
    last = add_months(first, 11)
    return Period(first, last, f"Financial year {financial_year_label(year)} ({first:%B %Y} to {last:%B %Y})")


def range_period(first: date, last: date) -> Period:
    if first == last:
        return month_period(first)
    return Period(first, last, f"{month_label(first)} to {month_label(last)}")
