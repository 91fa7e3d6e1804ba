"""Statistical disclosure control for aggregate figures shown to commissioners.

Implements the method NHS Digital has applied to Hospital Episode Statistics (HES) and the
Emergency Care Data Set (ECDS) since 2018 ("HES Analysis Guide", disclosure control):

- national totals are published unsuppressed;
- below national level, 0 stays 0, counts of 1 to 7 are shown as ``*``, and every other
  count is rounded to the nearest 5;
- percentages and rates are calculated from the rounded numerator and denominator, and are
  ``*`` where either is suppressed;
- means and medians based on 1 to 7 values are shown as ``*``.

Pure Python with no Django import, so every report, chart and CSV export uses the same rule.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

__all__ = ["SUPPRESSED", "rate", "suppress", "suppress_mean", "suppress_median"]

SUPPRESSED = "*"

# Counts 1 to SMALL_COUNT_MAX are hidden outright; rounding alone would still reveal them.
SMALL_COUNT_MAX = 7
ROUND_TO = 5


def _check_count(name: str, value: int) -> None:
    # bool is an int subclass; a True slipping through would be counted as 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative, got {value}")


def suppress(n: int, *, national: bool = False) -> int | str:
    """Return a count as it may be published (NHS Digital HES/ECDS method).

    0 stays 0; 1 to 7 become ``"*"``; anything else is rounded to the nearest 5, halves up.
    With ``national=True`` the count is returned unchanged. Negative counts raise ValueError;
    anything but an int (including bool) raises TypeError.
    """
    _check_count("count", n)
    if national or n == 0:
        return n
    if n <= SMALL_COUNT_MAX:
        return SUPPRESSED
    # Integer arithmetic rather than round(): Python rounds halves to even, the method does not.
    return (n + ROUND_TO // 2) // ROUND_TO * ROUND_TO


def rate(numerator: int, denominator: int, *, national: bool = False) -> float | str:
    """Percentage to one decimal place, computed from the published (rounded) figures.

    Following the NHS Digital HES/ECDS method, the numerator and denominator are suppressed
    first and the percentage is worked out from what is published, so a reader cannot undo
    the rounding. Returns ``"*"`` when either figure is suppressed or the denominator is 0
    (there is no rate to show). ``national=True`` uses the raw counts.
    """
    shown_numerator = suppress(numerator, national=national)
    shown_denominator = suppress(denominator, national=national)
    # A str here is the suppression marker: anything derived from it is suppressed too.
    if isinstance(shown_numerator, str) or isinstance(shown_denominator, str):
        return SUPPRESSED
    if shown_denominator == 0:
        return SUPPRESSED
    # Tenths of a percent, rounded half up in integers, so 0.05 never flips to 0.0 on a float.
    tenths = (2000 * shown_numerator + shown_denominator) // (2 * shown_denominator)
    return tenths / 10


def _summary(
    values: Sequence[float], statistic: Callable[[Sequence[float]], float], *, national: bool
) -> float | str | None:
    if not values:
        return None
    if not national and len(values) <= SMALL_COUNT_MAX:
        return SUPPRESSED
    return float(statistic(values))


def suppress_median(values: Sequence[float], *, national: bool = False) -> float | str | None:
    """Median of ``values``; ``"*"`` if based on 1 to 7 values, None if there are none.

    NHS Digital HES/ECDS method: averages over 1 to 7 records are not published below
    national level. ``national=True`` always returns the figure.
    """
    return _summary(values, statistics.median, national=national)


def suppress_mean(values: Sequence[float], *, national: bool = False) -> float | str | None:
    """Mean of ``values``; ``"*"`` if based on 1 to 7 values, None if there are none.

    NHS Digital HES/ECDS method: averages over 1 to 7 records are not published below
    national level. ``national=True`` always returns the figure.
    """
    return _summary(values, statistics.fmean, national=national)
