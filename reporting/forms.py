"""The dashboard's filters: a GET form, so every view of the figures has its own address."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString

from practitioner_health.accounts.forms import NHSFormMixin
from practitioner_health.regions import NHSRegion
from referrals.models import CareerStage, Profession

from .figures import Filters
from .models import NOT_KNOWN
from .periods import (
    Period,
    add_months,
    current_month,
    financial_year_label,
    financial_year_of,
    month_label,
    month_period,
    months_between,
    quarter_period,
    range_period,
    year_period,
)

CUSTOM = "custom"
# Choices in the period list: this many recent months, quarters and financial years.
RECENT_MONTHS, RECENT_QUARTERS, RECENT_YEARS = 24, 8, 5
# "Not known" region: referrals that gave none (returners to practice).
NOT_KNOWN_REGION = "not-known"


class QuickSelect(forms.Select):
    """A <select> written out in Python. Django's own builds and renders a template for every
    option, which for the month lists here took longer than the rest of the dashboard."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = "" if value is None else str(value)
        # Django keeps choices as lists; the cache below needs them hashable.
        choices = tuple((key, tuple(label) if isinstance(label, list) else label) for key, label in self.choices)
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        # The options went through escape(); flatatt escapes the attributes.
        return SafeString(f'<select name="{escape(name)}"{attributes}>{_options_html(choices, chosen)}</select>')


@lru_cache(maxsize=512)
def _options_html(choices: tuple[tuple[Any, Any], ...], chosen: str) -> str:
    """The <option>s for these choices with `chosen` selected. The same few lists (months up
    to this one, regions, professions) with the same few choices come back on every request."""

    def option(key: Any, label: Any) -> str:
        selected = " selected" if str(key) == chosen else ""
        return f'<option value="{escape(key)}"{selected}>{escape(label)}</option>'

    parts = []
    for key, label in choices:
        if isinstance(label, tuple):  # an <optgroup> of (value, label) pairs
            inner = "".join(option(*pair) for pair in label)
            parts.append(f'<optgroup label="{escape(key)}">{inner}</optgroup>')
        else:
            parts.append(option(key, label))
    return "".join(parts)


_PERIOD = re.compile(r"^(?:month-(\d{4})-(\d{2})|quarter-(\d{4})-q([1-4])|year-(\d{4}))$")


def _month_value(month: date) -> str:
    return f"{month:%Y-%m}"


def _parse_month(value: str) -> date:
    return date.fromisoformat(f"{value}-01")


@lru_cache(maxsize=4)
def period_choices(today_month: date) -> tuple[tuple[str, Any], ...]:
    months = [add_months(today_month, -n) for n in range(RECENT_MONTHS)]
    year = financial_year_of(today_month)
    quarter = (today_month.month - 4) % 12 // 3 + 1
    quarters = []
    for _ in range(RECENT_QUARTERS):
        quarters.append((f"quarter-{year}-q{quarter}", quarter_period(year, quarter).label))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    this_year = financial_year_of(today_month)
    years = [
        (f"year-{y}", f"{financial_year_label(y)} (April {y} to March {y + 1})")
        for y in range(this_year, this_year - RECENT_YEARS, -1)
    ]
    return (
        ("Financial years", tuple(years)),
        ("Quarters", tuple(quarters)),
        ("Months", tuple((f"month-{_month_value(m)}", month_label(m)) for m in months)),
        ("Other", ((CUSTOM, "A range of months (choose below)"),)),
    )


@lru_cache(maxsize=4)
def month_choices(first: date, last: date) -> tuple[tuple[str, str], ...]:
    """The months from `last` back to `first`, for the start and end of a range."""
    return (("", "Choose a month"), *((_month_value(m), month_label(m)) for m in reversed(months_between(first, last))))


def default_period_value(today_month: date) -> str:
    return f"year-{financial_year_of(today_month)}"


def period_from_value(value: str) -> Period | None:
    """The period a `period` value names, or None if it names none."""
    match = _PERIOD.match(value)
    if not match:
        return None
    month_year, month, quarter_year, quarter, year = match.groups()
    try:
        if month_year:
            return month_period(date(int(month_year), int(month), 1))
        if quarter_year:
            return quarter_period(int(quarter_year), int(quarter))
        return year_period(int(year))
    except ValueError:
        return None


def earliest_month() -> date:
    return _parse_month(settings.REPORTING_EARLIEST_MONTH)


class DashboardFilterForm(NHSFormMixin, forms.Form):
    """Period, region, profession and career stage. Every field may be left out of the address."""

    period = forms.ChoiceField(
        widget=QuickSelect,
        label="Period",
        required=False,
        help_text="NHS financial years and their quarters start in April",
        error_messages={"invalid_choice": "Select a period from the list"},
    )
    start = forms.ChoiceField(
        widget=QuickSelect,
        label="From",
        required=False,
        help_text="Only for a range of months",
        error_messages={"invalid_choice": "Select the first month of the range from the list"},
    )
    end = forms.ChoiceField(
        widget=QuickSelect,
        label="To",
        required=False,
        help_text="Only for a range of months",
        error_messages={"invalid_choice": "Select the last month of the range from the list"},
    )
    region = forms.ChoiceField(
        widget=QuickSelect,
        label="Region of work",
        required=False,
        choices=[("", "All regions"), *NHSRegion.choices, (NOT_KNOWN_REGION, "Not known")],
        error_messages={"invalid_choice": "Select a region from the list"},
    )
    profession = forms.ChoiceField(
        widget=QuickSelect,
        label="Profession",
        required=False,
        choices=[("", "All professions"), *Profession.choices],
        error_messages={"invalid_choice": "Select a profession from the list"},
    )
    career_stage = forms.ChoiceField(
        widget=QuickSelect,
        label="Career stage",
        required=False,
        choices=[("", "All career stages"), *CareerStage.choices],
        error_messages={"invalid_choice": "Select a career stage from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today_month = current_month()
        self._choices("period", period_choices(today_month))
        months = month_choices(earliest_month(), today_month)
        self._choices("start", months)
        self._choices("end", months)
        self._default_period = default_period_value(today_month)
        self._describe_fields()

    def _choices(self, name: str, choices: tuple[tuple[str, Any], ...]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def _describe_fields(self) -> None:
        # Point each select at its hint and its error as includes/field.html names them.
        for name, field in self.fields.items():
            ids = [f"id_{name}-hint"] if field.help_text else []
            if name in (getattr(self, "_errors", None) or {}):
                ids.append(f"id_{name}-error")
                field.widget.attrs["class"] = "nhsuk-select nhsuk-select--error"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self) -> None:
        super().full_clean()
        self._describe_fields()

    def clean_period(self) -> str:
        return self.cleaned_data["period"] or self._default_period

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("period") == CUSTOM and "start" not in self.errors and "end" not in self.errors:
            if not cleaned.get("start"):
                self.add_error("start", "Select the first month of the range")
            if not cleaned.get("end"):
                self.add_error("end", "Select the last month of the range")
            if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
                self.add_error("start", "The first month must be the same as or before the last month")
        return cleaned

    def filters(self) -> Filters:
        """The chosen filters; call only when the form is valid."""
        data = self.cleaned_data
        if data["period"] == CUSTOM:
            period = range_period(_parse_month(data["start"]), _parse_month(data["end"]))
        else:
            found = period_from_value(data["period"])
            if found is None:  # every listed choice parses: this guards the list itself
                raise ValueError(f"unknown period {data['period']!r}")
            period = found
        region = data["region"]
        return Filters(
            period=period,
            region=None if not region else (NOT_KNOWN if region == NOT_KNOWN_REGION else region),
            profession=data["profession"] or None,
            career_stage=data["career_stage"] or None,
        )

    def query(self) -> dict[str, str]:
        """The chosen filters as GET parameters, for the CSV link and the refresh button."""
        data = self.cleaned_data
        params = {"period": data["period"]}
        if data["period"] == CUSTOM:
            params.update(start=data["start"], end=data["end"])
        for name in ("region", "profession", "career_stage"):
            if data[name]:
                params[name] = data[name]
        return params
