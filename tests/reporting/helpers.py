"""Reading the dashboard the way a commissioner does: tables of shown figures."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from typing import Any

from django.db.models import Model

from reporting.figures import Dashboard, Table
from reporting.forms import DashboardFilterForm
from reporting.models import ALL
from reporting.selectors import dashboard_figures
from reporting.services import facts_refresh


def refresh(*months: date) -> None:
    for month in months:
        facts_refresh(month=month)


def dashboard_for(**params: str) -> Dashboard:
    """The figures for these GET parameters, through the same form the page uses."""
    form = DashboardFilterForm(data=params)
    assert form.is_valid(), form.errors
    return dashboard_figures(form.filters())


def shown(table: Table) -> dict[str, list[str]]:
    """Each row's figures exactly as printed on the page."""
    return {row.label: [str(figure) for figure in row.figures] for row in table.rows}


def first_column(table: Table) -> dict[str, str]:
    return {row.label: str(row.figures[0]) for row in table.rows}


class TableReader(HTMLParser):
    """Collects every <table> on a page as {caption: {row heading: [cell texts]}}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, list[str]]] = {}
        self._caption: str | None = None
        self._row: list[str] | None = None
        self._text: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"caption", "th", "td"}:
            self._text = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._text is not None:
            self._caption = " ".join("".join(self._text).split())
            self.tables[self._caption] = {}
        elif tag in {"th", "td"} and self._text is not None and self._row is not None:
            self._row.append(" ".join("".join(self._text).split()))
        elif tag == "tr" and self._row is not None and self._caption is not None:
            self.tables[self._caption][self._row[0]] = self._row[1:]
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        if tag in {"caption", "th", "td"}:
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def page_tables(html: str) -> dict[str, dict[str, list[str]]]:
    reader = TableReader()
    reader.feed(html)
    return reader.tables


def counted(model: type[Model], month: date, field: str, *, by: str | None = None) -> Any:
    """What the facts hold for the whole service in a month, exactly as counted: the checks of
    the counting itself, now that every figure shown is suppressed. `by` groups by that column
    and leaves out the zeros."""
    rows = model.objects.filter(month=month, region=ALL, profession=ALL, career_stage=ALL)
    if by is None:
        return sum(getattr(row, field) for row in rows)
    totals: dict[str, int] = {}
    for row in rows:
        totals[getattr(row, by)] = totals.get(getattr(row, by), 0) + getattr(row, field)
    return {key: n for key, n in totals.items() if n}
