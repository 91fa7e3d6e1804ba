"""What the dashboard shows: filters, and tables of figures that have been through disclosure
control. The page, the charts and the CSV export all print these and nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from practitioner_health.regions import NHSRegion
from referrals.models import CareerStage, Profession

from .disclosure import SUPPRESSED
from .models import NOT_KNOWN
from .periods import Period

NOT_KNOWN_LABEL = "Not known"
Unit = Literal["count", "percent", "days"]
Shown = int | float | str | None


@dataclass(frozen=True)
class Filters:
    """What a commissioner chose. None means every value; NOT_KNOWN ("") means not known."""

    period: Period
    region: str | None = None
    profession: str | None = None
    career_stage: str | None = None

    @property
    def national(self) -> bool:
        return self.region is None and self.profession is None and self.career_stage is None

    def describe(self) -> list[tuple[str, str]]:
        """The filters in words, for the page, the CSV and the audit record."""
        return [
            ("Period", self.period.label),
            ("Region", _label(REGIONS, self.region, "All regions")),
            ("Profession", _label(PROFESSIONS, self.profession, "All professions")),
            ("Career stage", _label(CAREER_STAGES, self.career_stage, "All career stages")),
        ]


REGIONS: dict[str, str] = {**dict(NHSRegion.choices), NOT_KNOWN: NOT_KNOWN_LABEL}
PROFESSIONS: dict[str, str] = dict(Profession.choices)
CAREER_STAGES: dict[str, str] = dict(CareerStage.choices)


def _label(labels: Mapping[str, str], value: str | None, everything: str) -> str:
    return everything if value is None else labels.get(value, NOT_KNOWN_LABEL)


@dataclass(frozen=True)
class Figure:
    """One published figure: a count, a percentage or a number of days, or `*`."""

    value: Shown
    unit: Unit = "count"

    @property
    def suppressed(self) -> bool:
        return self.value == SUPPRESSED

    @property
    def number(self) -> float | None:
        """The value as a number for a chart, or None when there is nothing to plot."""
        return None if self.value is None or isinstance(self.value, str) else float(self.value)

    def __str__(self) -> str:
        if self.value is None:
            return "No data"
        if isinstance(self.value, str):
            return self.value
        if self.unit == "percent":
            return f"{self.value:.1f}%"
        if self.unit == "days":
            return f"{self.value:g} {'day' if self.value == 1 else 'days'}"
        return f"{self.value:,}"


@dataclass(frozen=True)
class Row:
    label: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    first_heading: str
    headings: tuple[str, ...]
    rows: tuple[Row, ...]
    note: str = ""

    def row(self, label: str) -> Row:
        return next(row for row in self.rows if row.label == label)


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    national: bool
    trend: Table
    eligibility: Table
    by_channel: Table
    by_need: Table
    by_profession: Table
    by_career_stage: Table
    by_region: Table
    waits: Table
    treatment: Table
    outcomes: Table
    appointments: Table
    callbacks: Table
    discharges: Table
    closures: Table
    fft_by_month: Table
    fft_by_region: Table
    refreshed_at: datetime | None
    trend_months: tuple[date, ...] = field(default=())
    months_not_counted: tuple[date, ...] = field(default=())

    @property
    def tables(self) -> tuple[Table, ...]:
        """Every table, in the order the page shows them (the CSV uses the same order)."""
        return (
            self.trend,
            self.eligibility,
            self.by_channel,
            self.by_need,
            self.by_profession,
            self.by_career_stage,
            self.by_region,
            self.waits,
            self.treatment,
            self.outcomes,
            self.appointments,
            self.callbacks,
            self.discharges,
            self.closures,
            self.fft_by_month,
            self.fft_by_region,
        )
