"""Statistical disclosure control for aggregate figures shown to commissioners.

Based on the method NHS Digital applies to Hospital Episode Statistics (HES) and the
Emergency Care Data Set (ECDS), tightened for a small service whose people are identifiable
(DOMAIN.md, "Disclosure control for aggregates"; docs/reporting.md):

- every count in every view and export, national included: 0 stays 0, counts of 1 to 7 are
  shown as ``*``, and every other count is rounded to the nearest 5;
- percentages and rates are calculated from the rounded numerator and denominator, and are
  ``*`` where either is suppressed;
- means and medians based on 1 to 7 values are shown as ``*``;
- a breakdown whose total is suppressed is withheld whole (every cell ``*``), and where
  exactly one cell of a breakdown is suppressed, the smallest other non-zero cell is
  suppressed too, so the hidden cell cannot be worked out as the total less the rest.

Pure Python with no Django import, so every report, chart and CSV export uses the same rule.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

__all__ = [
    "SUPPRESSED",
    "rate",
    "shown_rate",
    "suppress",
    "suppress_breakdown",
    "suppress_mean",
    "suppress_median",
]

SUPPRESSED = "*"

# Counts 1 to SMALL_COUNT_MAX are hidden outright; rounding alone would still reveal them.
SMALL_COUNT_MAX = 7
ROUND_TO = 5

Shown = int | str


def _check_count(name: str, value: int) -> None:
    # bool is an int subclass; a True slipping through would be counted as 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative, got {value}")


def suppress(n: int) -> Shown:
    """Return a count as it may be published.

    0 stays 0; 1 to 7 become ``"*"``; anything else is rounded to the nearest 5, halves up.
    There is no exemption for national figures. Negative counts raise ValueError; anything
    but an int (including bool) raises TypeError.
    """
    _check_count("count", n)
    if n == 0:
        return n
    if n <= SMALL_COUNT_MAX:
        return SUPPRESSED
    # Integer arithmetic rather than round(): Python rounds halves to even, the method does not.
    return (n + ROUND_TO // 2) // ROUND_TO * ROUND_TO


def shown_rate(numerator: Shown, denominator: Shown) -> float | str:
    """Percentage to one decimal place of two figures as published (already suppressed).

    ``"*"`` when either is suppressed or the denominator is 0 (there is no rate to show).
    """
    # A str here is the suppression marker: anything derived from it is suppressed too.
    if isinstance(numerator, str) or isinstance(denominator, str):
        return SUPPRESSED
    if denominator == 0:
        return SUPPRESSED
    # Tenths of a percent, rounded half up in integers, so 0.05 never flips to 0.0 on a float.
    tenths = (2000 * numerator + denominator) // (2 * denominator)
    return tenths / 10


def rate(numerator: int, denominator: int) -> float | str:
    """Percentage to one decimal place, computed from the published (rounded) figures.

    The numerator and denominator are suppressed first and the percentage is worked out from
    what is published, so a reader cannot undo the rounding. Returns ``"*"`` when either
    figure is suppressed or the denominator is 0.
    """
    return shown_rate(suppress(numerator), suppress(denominator))


def suppress_breakdown(cells: Sequence[int], *, total: int | None = None) -> list[Shown]:
    """The cells of a breakdown (referrals by region, discharges by reason...) as published.

    `total` is what the cells break down (by default their sum; a breakdown whose cells
    overlap, like needs, passes the number of referrals). Each cell is suppressed as a count;
    then, so that no cell can be worked out from the others:

    - if the total is suppressed (1 to 7), the breakdown is withheld whole: every cell,
      zeros included, is ``"*"``;
    - if exactly one cell is suppressed, the smallest other non-zero cell is suppressed too
      (smallest as published, the first in the breakdown's order on a tie, so the choice
      itself tells a reader nothing they could not see).
    """
    for cell in cells:
        _check_count("cell", cell)
    shown_total = suppress(sum(cells) if total is None else total)
    if isinstance(shown_total, str):
        return [SUPPRESSED] * len(cells)
    shown: list[Shown] = [suppress(cell) for cell in cells]
    if sum(1 for value in shown if value == SUPPRESSED) == 1:
        others = [(value, index) for index, value in enumerate(shown) if isinstance(value, int) and value > 0]
        if others:
            shown[min(others)[1]] = SUPPRESSED
    return shown


def _summary(values: Sequence[float], statistic: Callable[[Sequence[float]], float]) -> float | str | None:
    if not values:
        return None
    if len(values) <= SMALL_COUNT_MAX:
        return SUPPRESSED
    return float(statistic(values))


def suppress_median(values: Sequence[float]) -> float | str | None:
    """Median of ``values``; ``"*"`` if based on 1 to 7 values, None if there are none."""
    return _summary(values, statistics.median)


def suppress_mean(values: Sequence[float]) -> float | str | None:
    """Mean of ``values``; ``"*"`` if based on 1 to 7 values, None if there are none."""
    return _summary(values, statistics.fmean)
