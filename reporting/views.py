"""The commissioner dashboard: aggregate figures, their charts, and a CSV of the same figures.

Nothing here reads a referral, an appointment or a person: the views read the monthly
facts through `selectors.dashboard_figures`, which applies disclosure control (the page
through `pages.dashboard_sections`, which caches the figures as HTML).
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from practitioner_health.accounts.decorators import commissioner_required, role_required
from practitioner_health.accounts.models import Role
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from .figures import Dashboard, Filters
from .forms import DashboardFilterForm
from .pages import dashboard_sections
from .periods import current_month
from .selectors import dashboard_figures, trend_months
from .services import facts_refresh_request

CSV_HEADINGS = ("Period", "Region", "Profession", "Career stage", "Table", "Row", "Column", "Value", "Unit")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _describe(filters: Filters) -> str:
    """The filters as an audit label (names of regions and periods, never anything personal)."""
    return "; ".join(f"{name}: {value}" for name, value in filters.describe())[:200]


@commissioner_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(data=request.GET)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        context.update(
            sections=dashboard_sections(form.filters(), query=urlencode(form.query())),
            can_refresh=request.user.role == Role.SERVICE_ADMIN,  # type: ignore[union-attr]
        )
    return render(request, "reporting/dashboard.html", context)


def _csv_value(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _write_csv(response: HttpResponse, figures: Dashboard) -> None:
    writer = csv.writer(response)
    writer.writerow(CSV_HEADINGS)
    described = [value for _, value in figures.filters.describe()]
    for table in figures.tables:
        for row in table.rows:
            for heading, figure in zip(table.headings, row.figures, strict=True):
                writer.writerow(
                    [_csv_value(v) for v in (*described, table.caption, row.label, heading, figure.value, figure.unit)]
                )


@commissioner_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(data=request.GET)
    if not form.is_valid():
        problems = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponseBadRequest(f"These filters cannot be used: {problems}", content_type="text/plain")
    filters = form.filters()
    figures = dashboard_figures(filters)
    audit_record(action=Action.EXPORT, object_type="reporting.dashboard", detail=f"CSV of {_describe(filters)}")
    period = filters.period
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="service-reporting-{period.first:%Y-%m}-to-{period.last:%Y-%m}.csv"'
    )
    _write_csv(response, figures)
    return response


@role_required(Role.SERVICE_ADMIN)
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Service admins: count the months on show again now, rather than at the next scheduled run."""
    form = DashboardFilterForm(data=request.POST)
    if not form.is_valid():
        messages.error(request, "The figures could not be refreshed: choose the filters again.")
        return redirect("reporting:dashboard")
    filters = form.filters()
    months = sorted({m for m in (*filters.period.months, *trend_months(filters.period)) if m <= current_month()})
    if not months:
        messages.error(request, "There is nothing to count yet: that period has not started.")
        return redirect("reporting:dashboard")
    facts_refresh_request(months=months)
    audit_record(
        action=Action.UPDATE,
        object_type="reporting.facts",
        detail=f"refresh asked for {months[0]:%Y-%m} to {months[-1]:%Y-%m}",
    )
    messages.success(
        request,
        f"The figures for {len(months)} months are being counted again. This usually takes under a minute: "
        "reload the page to see when they were last counted.",
    )
    return redirect(f"{reverse('reporting:dashboard')}?{urlencode(form.query())}")
