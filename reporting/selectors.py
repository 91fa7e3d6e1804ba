"""The dashboard's figures, read from the monthly facts only, with disclosure control applied.

`dashboard_figures(filters)` runs a fixed handful of GROUP BY queries over the fact tables
(the count does not grow with the data) and returns every figure as it may be shown: the
page, the charts and the CSV export all print exactly these.

Disclosure control (DOMAIN.md, docs/reporting.md, reporting.disclosure) applies to every
figure on every view, national included: counts through `suppress`, rates from the
published figures, medians of 1 to 7 values hidden. Each breakdown (referrals by month,
eligibility, channel, need, profession, career stage and region; discharges and closures by
reason) goes through `suppress_breakdown`, so it is withheld whole when its total is hidden,
and never has a single hidden cell that the total less the rest would give away.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, Sum

from clinicians.models import NEGATIVE_RATINGS, POSITIVE_RATINGS, DischargeReason, FeedbackRating
from referrals.models import Channel, ClosedReason, Need

from .disclosure import SMALL_COUNT_MAX, Shown, rate, shown_rate, suppress, suppress_breakdown, suppress_median
from .figures import CAREER_STAGES, PROFESSIONS, REGIONS, Dashboard, Figure, Filters, Row, Table
from .metrics import RECOVERY_STANDARD, WAIT_STANDARDS
from .models import (
    ALL,
    ActivityFact,
    CaseloadFact,
    ClosureFact,
    DischargeFact,
    FactsRefresh,
    FeedbackFact,
    NeedFact,
    OutcomeFact,
    ReferralFact,
    WaitFact,
    WaitKind,
)
from .periods import Period, current_month, month_label, months_between, short_month_label

# --- Disclosure -----------------------------------------------------------------------------


def _count(n: int | None) -> Figure:
    return Figure(suppress(int(n or 0)))


def _rate(numerator: int | None, denominator: int | None) -> Figure:
    if not denominator:
        # Nothing to take a rate of: say so, rather than a "*" that would read as hidden.
        return Figure(None, "percent")
    return Figure(rate(int(numerator or 0), int(denominator)), "percent")


def _shown_rate(numerator: Shown, denominator: Shown) -> Figure:
    """A rate of two figures as published (after secondary suppression)."""
    if denominator == 0:
        return Figure(None, "percent")
    return Figure(shown_rate(numerator, denominator), "percent")


def _breakdown(counts: Sequence[int | None], *, total: int | None = None) -> list[Figure]:
    """A breakdown's cells as published: see `disclosure.suppress_breakdown`."""
    cells = [int(n or 0) for n in counts]
    return [Figure(value) for value in suppress_breakdown(cells, total=total)]


def histogram_median(histogram: Mapping[int, int]) -> float | None:
    """Exact median of the values a {value: count} histogram describes."""
    total = sum(histogram.values())
    if total == 0:
        return None
    # 0-based positions of the middle value (odd) or the middle pair (even).
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            wanted.pop(0)
            found.append(value)
        if not wanted:
            break
    return sum(found) / len(found)


def _median(histogram: Mapping[int, int]) -> Figure:
    total = sum(histogram.values())
    if total <= SMALL_COUNT_MAX:
        # Few enough to list: the disclosure rule itself decides whether the median is shown.
        values = [days for days, count in histogram.items() for _ in range(count)]
        return Figure(suppress_median(values), "days")
    return Figure(histogram_median(histogram), "days")


# --- Queries --------------------------------------------------------------------------------


def _cell(filters: Filters, *, except_for: str | None = None) -> Q:
    """The cube cells for the filters; `except_for` one dimension broken down instead."""
    q = Q()
    for dimension in ("region", "profession", "career_stage"):
        chosen = getattr(filters, dimension)
        if dimension == except_for:
            q &= Q(**{dimension: chosen}) if chosen is not None else ~Q(**{dimension: ALL})
        else:
            q &= Q(**{dimension: ALL if chosen is None else chosen})
    return q


def _in(months: Sequence[date]) -> Q:
    return Q(month__gte=months[0], month__lte=months[-1])


def _sums(rows: Iterable[Mapping[str, Any]], key: str, value: str) -> dict[Any, int]:
    return {row[key]: int(row[value] or 0) for row in rows}


BREAKDOWNS = ("profession", "career_stage", "region")


def _in_cell(row: Mapping[str, Any], filters: Filters, *, except_for: str) -> bool:
    """Whether a fact row's cell is one that `_cell(filters, except_for=...)` picks."""
    for dimension in ("region", "profession", "career_stage"):
        chosen, value = getattr(filters, dimension), row[dimension]
        if dimension == except_for and chosen is None:
            if value == ALL:
                return False
        elif value != (ALL if chosen is None else chosen):
            return False
    return True


def _breakdowns(filters: Filters, months: Sequence[date]) -> dict[str, dict[str, int]]:
    """Referrals by each filter dimension in turn, from one query over the cells of all three.

    A cell can be in more than one breakdown (with a region and a profession chosen, the
    chosen cell is the one row of both), so each row is matched against each breakdown."""
    cells = Q()
    for dimension in BREAKDOWNS:
        cells |= _cell(filters, except_for=dimension)
    rows = list(
        ReferralFact.objects.filter(cells, _in(months))
        .values("region", "profession", "career_stage")
        .annotate(total=Sum("referrals"))
        .order_by()
    )
    return {
        dimension: _sums((row for row in rows if _in_cell(row, filters, except_for=dimension)), dimension, "total")
        for dimension in BREAKDOWNS
    }


def _breakdown_table(
    key: str,
    caption: str,
    heading: str,
    labels: Mapping[str, str],
    counts: Mapping[str, int],
    *,
    total: int,
    note: str = "",
) -> Table:
    figures = _breakdown([counts.get(value, 0) for value in labels], total=total)
    rows = [Row(label, (figure,)) for label, figure in zip(labels.values(), figures, strict=True)]
    return Table(key, caption, heading, ("Referrals",), tuple(rows), note=note)


# --- The dashboard, section by section -------------------------------------------------------


def trend_months(period: Period) -> list[date]:
    """Months on the referrals line: the chosen period's, up to this month (later months have
    no referrals yet). A period in the future shows its first month, at 0."""
    last = min(period.last, current_month())
    return months_between(period.first, last) or [period.first]


@dataclass(frozen=True)
class _Scope:
    """The cells and months every section reads, and whether they cover the whole service."""

    filters: Filters
    months: list[date]
    national: bool

    @property
    def cell(self) -> Q:
        return _cell(self.filters)

    @property
    def period(self) -> Q:
        return _in(self.months)

    def count(self, n: int | None) -> Figure:
        return _count(n)

    def rate(self, numerator: int | None, denominator: int | None) -> Figure:
        return _rate(numerator, denominator)


def _trend_table(scope: _Scope, trend: list[date]) -> Table:
    per_month = _sums(
        ReferralFact.objects.filter(scope.cell, _in(trend)).values("month").annotate(total=Sum("referrals")).order_by(),
        "month",
        "total",
    )
    # The months break down the referrals of the whole line (a range a commissioner can choose).
    figures = _breakdown([per_month.get(m) for m in trend])
    rows = [
        Row(f"{short_month_label(m)}{' (so far)' if m == current_month() else ''}", (figure,))
        for m, figure in zip(trend, figures, strict=True)
    ]
    span = month_label(trend[0]) if len(trend) == 1 else f"{month_label(trend[0])} to {month_label(trend[-1])}"
    caption = f"Referrals received per month, {span}"
    return Table("referrals-by-month", caption, "Month", ("Referrals",), tuple(rows))


def _referral_tables(scope: _Scope) -> dict[str, Table]:
    """Eligibility and the breakdowns by channel, need, profession, career stage and region."""
    channel_rows = list(
        ReferralFact.objects.filter(scope.cell, scope.period)
        .values("channel")
        .annotate(
            referrals=Sum("referrals"),
            eligible=Sum("eligible"),
            ineligible=Sum("ineligible"),
            needs_review=Sum("needs_review"),
        )
        .order_by()
    )
    totals: Counter[str] = Counter()
    for row in channel_rows:
        for name in ("referrals", "eligible", "ineligible", "needs_review"):
            totals[name] += int(row[name] or 0)
    received = totals["referrals"]
    outcomes = (
        ("Referrals received", received),
        ("Eligible", totals["eligible"]),
        ("Not eligible", totals["ineligible"]),
        ("Needs review by a handler", totals["needs_review"]),
        ("Not yet decided", received - totals["eligible"] - totals["ineligible"] - totals["needs_review"]),
    )
    needs = _sums(
        NeedFact.objects.filter(scope.cell, scope.period).values("need").annotate(total=Sum("referrals")).order_by(),
        "need",
        "total",
    )

    breakdowns = _breakdowns(scope.filters, scope.months)

    # Eligible, not eligible, needs review and not yet decided break down the referrals received.
    shown_received = suppress(received)
    decided = suppress_breakdown([n for _, n in outcomes[1:]], total=received)
    eligibility_rows = tuple(
        Row(label, (Figure(value), _shown_rate(value, shown_received)))
        for (label, _), value in zip(outcomes, [shown_received, *decided], strict=True)
    )

    return {
        "eligibility": Table(
            "eligibility",
            "Referrals received and their eligibility",
            "Referrals",
            ("Number", "Percentage of referrals"),
            eligibility_rows,
        ),
        "by_channel": _breakdown_table(
            "referrals-by-channel",
            "Referrals by how they were made",
            "Channel",
            dict(Channel.choices),
            _sums(channel_rows, "channel", "referrals"),
            total=received,
        ),
        "by_need": _breakdown_table(
            "referrals-by-need",
            "Referrals by what people want help with",
            "Need",
            dict(Need.choices),
            needs,
            total=received,
            note="A referral can name more than one need, so these add up to more than the referrals received.",
        ),
        "by_profession": _breakdown_table(
            "referrals-by-profession",
            "Referrals by profession",
            "Profession",
            PROFESSIONS,
            breakdowns["profession"],
            total=received,
        ),
        "by_career_stage": _breakdown_table(
            "referrals-by-career-stage",
            "Referrals by career stage",
            "Career stage",
            CAREER_STAGES,
            breakdowns["career_stage"],
            total=received,
        ),
        "by_region": _breakdown_table(
            "referrals-by-region",
            "Referrals by NHS England region of work",
            "Region",
            REGIONS,
            breakdowns["region"],
            total=received,
        ),
    }


def _waits_table(scope: _Scope) -> Table:
    """Waits that ended in the period; the months' histograms are merged so each median is exact."""
    waits: dict[str, Counter[str]] = {kind: Counter() for kind in WaitKind.values}
    histograms: dict[str, Counter[int]] = {kind: Counter() for kind in WaitKind.values}
    rows = WaitFact.objects.filter(scope.cell, scope.period).values_list(
        "kind", "waits", "within_6_weeks", "within_18_weeks", "days"
    )
    for kind, n, within_6, within_18, days in rows:
        waits[kind].update(waits=n, within_6=within_6, within_18=within_18)
        histograms[kind].update({int(d): c for d, c in days.items()})
    six, eighteen = sorted(WAIT_STANDARDS)
    return Table(
        "waits",
        "Waiting times from referral",
        "Wait",
        ("Waits ended in the period", "Median wait", f"Within {six} weeks", f"Within {eighteen} weeks"),
        tuple(
            Row(
                label,
                (
                    scope.count(waits[kind]["waits"]),
                    _median(histograms[kind]),
                    scope.rate(waits[kind]["within_6"], waits[kind]["waits"]),
                    scope.rate(waits[kind]["within_18"], waits[kind]["waits"]),
                ),
            )
            for kind, label in WaitKind.choices
        ),
        note=(
            f"Standards: {WAIT_STANDARDS[six]:g}% of people start treatment within {six} weeks of referral "
            f"and {WAIT_STANDARDS[eighteen]:g}% within {eighteen} weeks. Each wait is counted in the month it ended."
        ),
    )


def _treatment_tables(scope: _Scope) -> dict[str, Table]:
    """The caseload at the end of the period, and the outcomes of courses that ended in it."""
    outcome = OutcomeFact.objects.filter(scope.cell, scope.period).aggregate(
        finished=Sum("finished"),
        paired=Sum("paired"),
        caseness=Sum("caseness_at_start"),
        recovered=Sum("recovered"),
        improved=Sum("reliable_improvement"),
        deteriorated=Sum("reliable_deterioration"),
        reliably_recovered=Sum("reliable_recovery"),
    )
    # A period that has not ended shows the caseload at the last count.
    caseload_month = min(scope.filters.period.last, current_month())
    caseload = CaseloadFact.objects.filter(scope.cell, month=caseload_month).aggregate(active=Sum("active"))
    caseload_label = (
        "Active caseload now"
        if caseload_month == current_month()
        else f"Active caseload at the end of {month_label(caseload_month)}"
    )

    def outcome_row(label: str, number: str, out_of: str) -> Row:
        return Row(
            label,
            (scope.count(outcome[number]), scope.count(outcome[out_of]), scope.rate(outcome[number], outcome[out_of])),
        )

    return {
        "treatment": Table(
            "treatment",
            "Caseload and courses of treatment",
            "Measure",
            ("Number",),
            (
                Row(caseload_label, (scope.count(caseload["active"]),)),
                Row("Finished courses of treatment", (scope.count(outcome["finished"]),)),
                Row("Finished courses with first and last scores", (scope.count(outcome["paired"]),)),
                Row("Finished courses at caseness at the start", (scope.count(outcome["caseness"]),)),
            ),
            note=(
                "A finished course of treatment is a care episode that ended after at least 2 attended "
                "treatment appointments."
            ),
        ),
        "outcomes": Table(
            "outcomes",
            "Outcomes of finished courses of treatment",
            "Outcome",
            ("Number", "Out of", "Rate"),
            (
                outcome_row(f"Recovery (standard {RECOVERY_STANDARD:g}%)", "recovered", "caseness"),
                outcome_row("Reliable improvement", "improved", "paired"),
                outcome_row("Reliable recovery", "reliably_recovered", "caseness"),
                outcome_row("Reliable deterioration", "deteriorated", "paired"),
            ),
            note=(
                "Recovery and reliable recovery are out of finished courses at caseness at the start; reliable "
                "improvement and deterioration are out of finished courses with first and last scores."
            ),
        ),
    }


# Why referrals closed before care, in the words a commissioner reads them in.
CLOSURE_ROWS = (
    (ClosedReason.INELIGIBLE, "Not eligible"),
    (ClosedReason.NOT_REACHED, "The helpline could not reach them"),
    (ClosedReason.DECLINED, "Declined the service when the helpline spoke to them"),
    (ClosedReason.WITHDRAWN, "Stopped their referral themselves"),
)


def _reason_rows(counts: Mapping[str, int], reasons: Iterable[tuple[str, str]]) -> tuple[Row, ...]:
    """A count per reason, as a breakdown of their sum (not shown, but never a hidden lone cell)."""
    labels = list(reasons)
    figures = _breakdown([counts.get(value) for value, _ in labels])
    return tuple(Row(label, (figure,)) for (_, label), figure in zip(labels, figures, strict=True))


def _activity_tables(scope: _Scope) -> dict[str, Table]:
    """Appointments held and callbacks made in the period; discharges, and referrals closed before
    care, by reason."""
    activity = ActivityFact.objects.filter(scope.cell, scope.period).aggregate(
        attended=Sum("attended"),
        dna=Sum("did_not_attend"),
        made=Sum("callbacks_made"),
        answered=Sum("callbacks_answered"),
    )
    attended, dna = int(activity["attended"] or 0), int(activity["dna"] or 0)
    discharges = _sums(
        DischargeFact.objects.filter(scope.cell, scope.period)
        .values("reason")
        .annotate(total=Sum("discharges"))
        .order_by(),
        "reason",
        "total",
    )
    closures = _sums(
        ClosureFact.objects.filter(scope.cell, scope.period)
        .values("reason")
        .annotate(total=Sum("closures"))
        .order_by(),
        "reason",
        "total",
    )
    return {
        "appointments": Table(
            "appointments",
            "Appointments",
            "Measure",
            ("Number",),
            (
                Row("Appointments attended", (scope.count(attended),)),
                Row("Appointments not attended (did not attend)", (scope.count(dna),)),
                Row("Did-not-attend rate", (scope.rate(dna, attended + dna),)),
            ),
            note="The did-not-attend rate is out of appointments that were attended or missed, not cancelled ones.",
        ),
        "callbacks": Table(
            "callbacks",
            "Callbacks from the helpline",
            "Measure",
            ("Number",),
            (
                Row("Callbacks made", (scope.count(activity["made"]),)),
                Row("Callbacks answered", (scope.count(activity["answered"]),)),
                Row("Answered rate", (scope.rate(activity["answered"], activity["made"]),)),
            ),
            note="A callback is counted in the month of its first call, and as answered if any call to it was.",
        ),
        "discharges": Table(
            "discharges",
            "Discharges by reason",
            "Reason",
            ("Discharges",),
            _reason_rows(discharges, DischargeReason.choices),
        ),
        "closures": Table(
            "closures",
            "Referrals closed before care, by reason",
            "Reason",
            ("Referrals",),
            _reason_rows(closures, CLOSURE_ROWS),
            note="Counted in the month the referral closed, whenever it was made.",
        ),
    }


# --- The Friends and Family Test ------------------------------------------------------------

FFT_HEADINGS = ("Responses", "Positive", "Negative")
FFT_NOTE = (
    "Positive is the share of responses that rated the service very good or good, negative the share "
    "that rated it poor or very poor; both are out of every response, 'don't know' included, as NHS "
    "England counts them. Worked out from the rounded numbers."
)


def _fft_rates(ratings: Mapping[str, int], shown_responses: Shown) -> tuple[Figure, Figure]:
    """Positive and negative shares of one row's responses, from published figures only.

    The row's ratings (positive, neither, negative, don't know) break down its responses, so
    they go through `suppress_breakdown` together before any rate is worked out from them."""
    positive = sum(ratings.get(r, 0) for r in POSITIVE_RATINGS)
    negative = sum(ratings.get(r, 0) for r in NEGATIVE_RATINGS)
    neither = ratings.get(FeedbackRating.NEITHER, 0)
    dont_know = ratings.get(FeedbackRating.DONT_KNOW, 0)
    shown_positive, _, shown_negative, _ = suppress_breakdown([positive, neither, negative, dont_know])
    return _shown_rate(shown_positive, shown_responses), _shown_rate(shown_negative, shown_responses)


def _fft_table(key: str, caption: str, heading: str, rows: Sequence[tuple[str, Mapping[str, int]]]) -> Table:
    """A row per month (or region) and a last row for them all: responses as a breakdown of the
    total, and each row's positive and negative shares."""
    per_row = [sum(ratings.values()) for _, ratings in rows]
    shown = suppress_breakdown(per_row)
    everything: Counter[str] = Counter()
    for _, ratings in rows:
        everything.update(ratings)
    total = suppress(sum(per_row))
    table_rows = [
        Row(label, (Figure(value), *_fft_rates(ratings, value)))
        for (label, ratings), value in zip(rows, shown, strict=True)
    ]
    table_rows.append(Row("All responses", (Figure(total), *_fft_rates(everything, total))))
    return Table(key, caption, heading, FFT_HEADINGS, tuple(table_rows), note=FFT_NOTE)


def _fft_tables(scope: _Scope, months: Sequence[date]) -> dict[str, Table]:
    """Friends and Family Test answers given in the period, by month and by region: one query."""
    filters = scope.filters
    month_caption = "Friends and Family Test by month"
    region_caption = "Friends and Family Test by NHS England region of work"
    if filters.career_stage is not None:
        # The answers carry no career stage, so there is nothing to show for one.
        note = "The Friends and Family Test answers do not record a career stage: choose all career stages to see them."
        empty = (Figure(None), Figure(None, "percent"), Figure(None, "percent"))
        return {
            "fft_by_month": Table(
                "fft-by-month", month_caption, "Month", FFT_HEADINGS, (Row("All responses", empty),), note=note
            ),
            "fft_by_region": Table(
                "fft-by-region", region_caption, "Region", FFT_HEADINGS, (Row("All responses", empty),), note=note
            ),
        }
    month_cell, region_cells = _cell(filters), _cell(filters, except_for="region")
    by_month: dict[date, Counter[str]] = {m: Counter() for m in months}
    by_region: dict[str, Counter[str]] = {r: Counter() for r in REGIONS}
    rows = (
        FeedbackFact.objects.filter(month_cell | region_cells, _in(months))
        .values("month", "region", "rating")
        .annotate(n=Sum("responses"))
        .order_by()
    )
    for row in rows:
        n = int(row["n"] or 0)
        if row["region"] == (ALL if filters.region is None else filters.region) and row["month"] in by_month:
            by_month[row["month"]][row["rating"]] += n
        if row["region"] != ALL and row["region"] in by_region:
            by_region[row["region"]][row["rating"]] += n
    regions = [(label, by_region[value]) for value, label in REGIONS.items()]
    return {
        "fft_by_month": _fft_table(
            "fft-by-month",
            month_caption,
            "Month",
            [(f"{short_month_label(m)}{' (so far)' if m == current_month() else ''}", by_month[m]) for m in months],
        ),
        "fft_by_region": _fft_table("fft-by-region", region_caption, "Region", regions),
    }


def months_on_show(filters: Filters) -> list[date]:
    """The months whose facts the dashboard reads for these filters, up to this month (later
    months have no facts yet)."""
    return sorted({m for m in [*filters.period.months, *trend_months(filters.period)] if m <= current_month()})


def facts_counted(months: Sequence[date]) -> dict[date, tuple[datetime, int]]:
    """When each of these months was last counted, and how many times: one small query.

    A month's entry changes whenever its facts are replaced, so the figures for a set of
    months stay the same for as long as this does. Months never counted are left out."""
    return {
        month: (refreshed_at, refreshes)
        for month, refreshed_at, refreshes in FactsRefresh.objects.filter(month__in=months)
        .values_list("month", "refreshed_at", "refreshes")
        .order_by()
    }


def dashboard_figures(filters: Filters, *, counted: Mapping[date, tuple[datetime, int]] | None = None) -> Dashboard:
    """Every figure on the dashboard for these filters, disclosure control applied.

    Twelve small queries over the fact tables, whatever the filters and however much data, and
    one more for when the months were counted unless the caller has read that already
    (`facts_counted(months_on_show(filters))`, read before the facts).
    """
    scope = _Scope(filters=filters, months=filters.period.months, national=filters.national)
    trend = trend_months(filters.period)
    shown_months = months_on_show(filters)
    if counted is None:
        counted = facts_counted(shown_months)
    return Dashboard(
        filters=filters,
        national=scope.national,
        trend=_trend_table(scope, trend),
        **_referral_tables(scope),
        waits=_waits_table(scope),
        **_treatment_tables(scope),
        **_activity_tables(scope),
        **_fft_tables(scope, trend),
        # When the figures were last counted: the newest count of the months on show (the page
        # also says how old the earliest is, see `pages.Sections.counted_words`).
        refreshed_at=max(refreshed_at for refreshed_at, _ in counted.values()) if counted else None,
        trend_months=tuple(trend),
        months_not_counted=tuple(m for m in shown_months if m not in counted),
    )
