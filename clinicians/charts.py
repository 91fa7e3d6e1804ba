"""A small server-rendered SVG line chart of PHQ-9 and GAD-7 over time.

Accessible by construction: role="img" with a <title> and a <desc> that says the numbers
in words, a visible data table beside it in the page, and the two lines told apart by
dash pattern and marker shape as well as colour. Presentation attributes only (stroke,
fill): the content security policy forbids inline style attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .selectors import OutcomeRow

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 20, 40, 48
Y_MAX = 27  # the PHQ-9 maximum; GAD-7 (0-21) shares the axis
BLUE = "#005eb8"  # NHS blue
PURPLE = "#330072"  # NHS purple
GREY = "#d8dde0"
TEXT = "#212b32"


@dataclass(frozen=True)
class _Series:
    name: str
    colour: str
    dash: str
    values: list[tuple[int, int]]  # (occasion index, score)


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if count == 1 else inner * index / (count - 1))


def _y(score: int) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - score / Y_MAX)


def _describe(name: str, values: list[tuple[int, int]]) -> str:
    if not values:
        return f"No {name} scores."
    first, last = values[0][1], values[-1][1]
    if len(values) == 1:
        return f"{name}: one score of {first}."
    return f"{name}: {len(values)} scores, from {first} at first to {last} most recently."


def _marker(series: _Series, x: float, y: float) -> str:
    if series.name == "PHQ-9":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{series.colour}"/>'
    return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{series.colour}"/>'


def outcome_chart(rows: Sequence[OutcomeRow], *, chart_id: str = "outcome-chart") -> SafeString:
    """The chart for an episode's outcome rows (oldest first); empty string if there are none."""
    if not rows:
        return mark_safe("")
    count = len(rows)
    series = [
        _Series("PHQ-9", BLUE, "", [(i, r.phq) for i, r in enumerate(rows) if r.phq is not None]),
        _Series("GAD-7", PURPLE, "6 4", [(i, r.gad) for i, r in enumerate(rows) if r.gad is not None]),
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ph-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="Frutiger W01, Arial, sans-serif" font-size="13" fill="{TEXT}">',
        f'<title id="{chart_id}-title">PHQ-9 and GAD-7 scores over time</title>',
        f'<desc id="{chart_id}-desc">{escape(" ".join(_describe(s.name, s.values) for s in series))} '
        "Higher scores mean more symptoms. The same scores are in the table below.</desc>",
    ]
    for tick in range(0, Y_MAX + 1, 5):
        y = _y(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GREY}"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    parts.append(
        f'<line x1="{LEFT}" y1="{_y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{_y(0):.1f}" stroke="{TEXT}" stroke-width="1.5"/>'
    )
    # Label at most about eight dates so they never overlap.
    step = max(1, -(-count // 8))
    for index, row in enumerate(rows):
        if index % step == 0 or index == count - 1:
            label = f"{timezone.localtime(row.when):%-d %b}"
            parts.append(
                f'<text x="{_x(index, count):.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle">{label}</text>'
            )
    for s in series:
        points = " ".join(f"{_x(i, count):.1f},{_y(v):.1f}" for i, v in s.values)
        if len(s.values) > 1:
            dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
            parts.append(f'<polyline points="{points}" fill="none" stroke="{s.colour}" stroke-width="2.5"{dash}/>')
        parts.extend(_marker(s, _x(i, count), _y(v)) for i, v in s.values)
    # Legend: line sample, marker and name for each series.
    legend_x = LEFT
    for s in series:
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        parts.append(
            f'<line x1="{legend_x}" y1="16" x2="{legend_x + 28}" y2="16" stroke="{s.colour}" stroke-width="2.5"{dash}/>'
        )
        parts.append(_marker(s, legend_x + 14, 16))
        parts.append(f'<text x="{legend_x + 36}" y="20">{s.name}</text>')
        legend_x += 110
    parts.append(f'<text x="{WIDTH - RIGHT}" y="20" text-anchor="end">Score (0 to 27)</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped text only
