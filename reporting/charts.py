"""Server-rendered SVG charts for the dashboard: referrals per month, waits and outcomes.

Each chart is drawn from figures that have already been through disclosure control (a
suppressed `*` is never plotted, only marked), and each is followed on the page by a table
of the same figures, its accessible alternative. Accessible by construction: role="img"
with a <title> and a <desc> that gives the figures in words; bars are labelled with their
name and value in text, so nothing depends on colour. Presentation attributes only: the
content security policy forbids style attributes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .figures import Dashboard, Figure, Table
from .metrics import RECOVERY_STANDARD, WAIT_STANDARDS
from .periods import month_label

WIDTH = 640
BLUE = "#005eb8"  # NHS blue
DARK_BLUE = "#003087"  # NHS dark blue
PURPLE = "#330072"  # NHS purple
GREY = "#d8dde0"  # NHS pale grey
MID_GREY = "#4c6272"  # NHS dark grey: 3:1 or better against white, for lines that carry meaning
TEXT = "#212b32"
FONT = 'font-family="Frutiger W01, Arial, sans-serif" font-size="13"'
HIDDEN_WORDS = "hidden to protect confidentiality"
# A white outline behind text that may cross a gridline or a standard line.
HALO = ' stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"'


def _svg_open(chart_id: str, height: float, title: str, description: str) -> list[str]:
    return [
        # Drawn at 640 wide and scaled to the column (the stylesheet sets the height to match).
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ph-chart" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'{FONT} fill="{TEXT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _said(figure: Figure) -> str:
    if figure.suppressed:
        return HIDDEN_WORDS
    if figure.value is None:
        return "no data"
    return str(figure)


def axis_step(largest: float, *, ticks: int = 4) -> int:
    """A whole-number gridline step (1, 2, 2.5 or 5 times a power of ten, 2.5 only from 25)
    so that `ticks` steps reach at least `largest`."""
    wanted = max(largest, 1) / ticks
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power // 2, 5 * power):
            if step == int(step) and step >= wanted:
                return int(step)
        power *= 10


# --- Line -----------------------------------------------------------------------------------


def line_chart(table: Table, months: Sequence[date], *, chart_id: str, title: str) -> SafeString:
    """A line of the table's first column against its rows (one per month), broken at hidden values."""
    height, left, right, top, bottom = 300, 64, 20, 24, 60
    labels = [month_label(month) for month in months]
    figures = [row.figures[0] for row in table.rows]
    numbers = [figure.number for figure in figures]
    shown = [n for n in numbers if n is not None]
    step = axis_step(max(shown, default=0))
    top_value = 4 * step
    count = len(labels)
    inner_w, inner_h = WIDTH - left - right, height - top - bottom

    def x(index: int) -> float:
        return left + (inner_w / 2 if count == 1 else inner_w * index / (count - 1))

    def y(value: float) -> float:
        return top + inner_h * (1 - value / top_value)

    hidden = sum(1 for f in figures if f.suppressed)
    span = labels[0] if count == 1 else f"{labels[0]} to {labels[-1]}"
    plotted = [(number, index) for index, number in enumerate(numbers) if number is not None]
    if plotted:
        # The earliest month wins a tie, for both.
        high = max(plotted, key=lambda pair: (pair[0], -pair[1]))[1]
        low = min(plotted, key=lambda pair: (pair[0], pair[1]))[1]
        description = (
            f"{title}, {span}. Highest: {figures[high]} in {labels[high]}. "
            f"Lowest: {figures[low]} in {labels[low]}. Latest: {_said(figures[-1])} in {labels[-1]}."
        )
    else:
        description = f"{title}, {span}: no figures to plot."
    if hidden:
        description += f" {hidden} of the months are {HIDDEN_WORDS} and not plotted."
    description += " The figures are in the table after the chart."

    parts = _svg_open(chart_id, height, title, description)
    for tick in range(5):
        value = tick * step
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{WIDTH - right}" y2="{y(value):.1f}" stroke="{GREY}"/>'
        )
        parts.append(f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end">{value:,.0f}</text>')
    parts.append(
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{WIDTH - right}" y2="{y(0):.1f}" stroke="{TEXT}" stroke-width="1.5"/>'
    )
    # Month under each point (every few if there are many), the year under the first and each January.
    every = max(1, math.ceil(count / 12))
    for index, month in enumerate(months):
        if index % every == 0 or index == count - 1:
            parts.append(f'<text x="{x(index):.1f}" y="{height - bottom + 18}" text-anchor="middle">{month:%b}</text>')
            if index == 0 or month.month <= every:
                parts.append(
                    f'<text x="{x(index):.1f}" y="{height - bottom + 34}" text-anchor="middle">{month:%Y}</text>'
                )
    # One polyline per run of plotted months: a hidden month breaks the line.
    run: list[str] = []
    for index, number in enumerate([*numbers, None]):
        if number is not None:
            run.append(f"{x(index):.1f},{y(number):.1f}")
            continue
        if len(run) > 1:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
        run = []
    for index, (number, figure) in enumerate(zip(numbers, figures, strict=True)):
        if number is not None:
            parts.append(f'<circle cx="{x(index):.1f}" cy="{y(number):.1f}" r="4" fill="{BLUE}"/>')
        elif figure.suppressed:
            parts.append(
                f'<text x="{x(index):.1f}" y="{y(0) - 6:.1f}" text-anchor="middle" font-weight="bold">*</text>'
            )
    parts.append(f'<text x="{left}" y="{top - 8}">Referrals</text>')
    if hidden:
        parts.append(
            f'<text x="{WIDTH - right}" y="{height - 8}" text-anchor="end">* hidden to protect confidentiality</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


# --- Bars -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    figure: Figure
    colour: str = BLUE


@dataclass(frozen=True)
class BarGroup:
    heading: str
    bars: Sequence[Bar]


@dataclass(frozen=True)
class Standard:
    value: float
    label: str


def bar_chart(
    groups: Sequence[BarGroup], *, chart_id: str, title: str, standards: Sequence[Standard] = ()
) -> SafeString:
    """Horizontal percentage bars (0 to 100%), in labelled groups, with dashed standard lines."""
    label_w, value_w, top, bar_h, gap, heading_h, axis_h = 200, 64, 44, 22, 8, 26, 34
    left, right = label_w, WIDTH - value_w
    height = top + sum(heading_h + len(g.bars) * (bar_h + gap) for g in groups) + axis_h

    def x(percent: float) -> float:
        return left + (right - left) * percent / 100

    sentences = []
    for group in groups:
        said = ", ".join(f"{bar.label.lower()} {_said(bar.figure)}" for bar in group.bars)
        sentences.append(f"{group.heading}: {said}.")
    for standard in standards:
        sentences.append(f"{standard.label}.")
    description = " ".join(sentences) + " The figures are in the table after the chart."

    parts = _svg_open(chart_id, height, title, description)
    bottom = height - axis_h
    for tick in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" y2="{bottom}" stroke="{GREY}"/>')
        parts.append(f'<text x="{x(tick):.1f}" y="{bottom + 18}" text-anchor="middle">{tick}%</text>')
    row = top
    values: list[str] = []  # drawn last, over the standard lines
    for group in groups:
        parts.append(f'<text x="8" y="{row + 17}" font-weight="bold">{escape(group.heading)}</text>')
        row += heading_h
        for bar in group.bars:
            parts.append(f'<text x="{left - 8}" y="{row + 16}" text-anchor="end">{escape(bar.label)}</text>')
            number = bar.figure.number
            if number is not None:
                width = max(0.0, x(min(number, 100.0)) - left)
                parts.append(f'<rect x="{left}" y="{row}" width="{width:.1f}" height="{bar_h}" fill="{bar.colour}"/>')
                values.append(f'<text x="{left + width + 6:.1f}" y="{row + 16}"{HALO}>{escape(str(bar.figure))}</text>')
            else:
                shown = "* (hidden)" if bar.figure.suppressed else "No data"
                values.append(f'<text x="{left + 6}" y="{row + 16}"{HALO}>{shown}</text>')
            row += bar_h + gap
    for index, standard in enumerate(standards):
        at = x(standard.value)
        # A white edge keeps the dashed line visible across dark bars.
        parts.append(
            f'<line x1="{at:.1f}" y1="{top - 6}" x2="{at:.1f}" y2="{bottom}" stroke="#ffffff" stroke-width="5"/>'
        )
        parts.append(
            f'<line x1="{at:.1f}" y1="{top - 6}" x2="{at:.1f}" y2="{bottom}" stroke="{TEXT}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        # Stagger the labels when standards sit close together.
        parts.append(
            f'<text x="{at:.1f}" y="{top - 12 - 14 * (index % 2)}" text-anchor="middle">{escape(standard.label)}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{top - 6}" x2="{left}" y2="{bottom}" stroke="{TEXT}" stroke-width="1.5"/>')
    parts.extend(values)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


# --- The dashboard's three charts -----------------------------------------------------------


def waits_chart(table: Table) -> SafeString:
    six, eighteen = sorted(WAIT_STANDARDS)
    groups = [
        BarGroup(
            row.label,
            (
                Bar(f"Within {six} weeks", row.figures[2], BLUE),
                Bar(f"Within {eighteen} weeks", row.figures[3], PURPLE),
            ),
        )
        for row in table.rows
    ]
    return bar_chart(
        groups,
        chart_id="waits-chart",
        title="Waits within 6 and 18 weeks of referral, against the standards",
        standards=[
            Standard(WAIT_STANDARDS[six], f"{six}-week standard {WAIT_STANDARDS[six]:g}%"),
            Standard(WAIT_STANDARDS[eighteen], f"{eighteen}-week standard {WAIT_STANDARDS[eighteen]:g}%"),
        ],
    )


def outcomes_chart(table: Table) -> SafeString:
    groups = [
        BarGroup("Finished courses of treatment", [Bar(row.label.split(" (")[0], row.figures[2]) for row in table.rows])
    ]
    return bar_chart(
        groups,
        chart_id="outcomes-chart",
        title="Outcomes of finished courses of treatment, as rates",
        standards=[Standard(RECOVERY_STANDARD, f"Recovery standard {RECOVERY_STANDARD:g}%")],
    )


def fft_chart(table: Table) -> SafeString:
    """Positive and negative shares of each month's Friends and Family Test responses."""
    groups = [
        BarGroup(row.label, (Bar("Positive", row.figures[1], BLUE), Bar("Negative", row.figures[2], PURPLE)))
        for row in table.rows
    ]
    return bar_chart(
        groups, chart_id="fft-chart", title="Friends and Family Test: positive and negative shares of responses"
    )


def dashboard_charts(figures: Dashboard) -> dict[str, SafeString]:
    return {
        "trend": line_chart(
            figures.trend, figures.trend_months, chart_id="referrals-chart", title="Referrals received per month"
        ),
        "waits": waits_chart(figures.waits),
        "outcomes": outcomes_chart(figures.outcomes),
        "fft": fft_chart(figures.fft_by_month),
    }
