"""Outcome and waiting-time measures, using the NHS Talking Therapies definitions.

Pure Python with no Django import: selectors gather the scores and dates, these functions
decide what each course of treatment counts as. See DOMAIN.md, "Outcome metrics".
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "GAD7_CASENESS",
    "GAD7_RELIABLE_CHANGE",
    "PHQ9_CASENESS",
    "PHQ9_RELIABLE_CHANGE",
    "RECOVERY_STANDARD",
    "WAIT_STANDARDS",
    "Classification",
    "classify",
    "is_caseness",
    "median",
    "within_weeks",
]

PHQ9_MAX = 27
GAD7_MAX = 21

# Scores at or above these are "at caseness", i.e. likely to meet criteria for treatment.
PHQ9_CASENESS = 10
GAD7_CASENESS = 8

# Changes of at least this size are bigger than the measures' measurement error.
PHQ9_RELIABLE_CHANGE = 6
GAD7_RELIABLE_CHANGE = 4

# Weeks from referral to first attended treatment -> percentage who must start within them.
WAIT_STANDARDS: dict[int, float] = {6: 75.0, 18: 95.0}
# National recovery-rate standard, as a percentage of finished courses starting at caseness.
RECOVERY_STANDARD = 50.0


@dataclass(frozen=True)
class Classification:
    caseness_at_start: bool
    caseness_at_end: bool
    recovered: bool
    reliable_improvement: bool
    reliable_deterioration: bool
    reliable_recovery: bool


def _check_score(name: str, value: int, maximum: int) -> None:
    # bool is an int subclass; a stray True must not pass as a score of 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not 0 <= value <= maximum:
        raise ValueError(f"{name} must be between 0 and {maximum}, got {value}")


def is_caseness(phq9: int, gad7: int) -> bool:
    """At caseness on either measure: PHQ-9 of 10 or more, or GAD-7 of 8 or more."""
    _check_score("PHQ-9", phq9, PHQ9_MAX)
    _check_score("GAD-7", gad7, GAD7_MAX)
    return phq9 >= PHQ9_CASENESS or gad7 >= GAD7_CASENESS


def classify(first_phq9: int, first_gad7: int, last_phq9: int, last_gad7: int) -> Classification:
    """Classify a course of treatment from its first and last paired scores.

    Recovery needs caseness at the start and neither measure at caseness at the end.
    Reliable improvement needs a reliable fall on at least one measure and no reliable rise
    on the other; deterioration is the mirror image. So a course where one measure falls
    reliably while the other rises reliably is neither improved nor deteriorated.
    """
    _check_score("first PHQ-9", first_phq9, PHQ9_MAX)
    _check_score("first GAD-7", first_gad7, GAD7_MAX)
    _check_score("last PHQ-9", last_phq9, PHQ9_MAX)
    _check_score("last GAD-7", last_gad7, GAD7_MAX)

    caseness_at_start = is_caseness(first_phq9, first_gad7)
    caseness_at_end = is_caseness(last_phq9, last_gad7)
    recovered = caseness_at_start and not caseness_at_end

    phq9_change = last_phq9 - first_phq9
    gad7_change = last_gad7 - first_gad7
    reliably_down = (
        phq9_change <= -PHQ9_RELIABLE_CHANGE,
        gad7_change <= -GAD7_RELIABLE_CHANGE,
    )
    reliably_up = (
        phq9_change >= PHQ9_RELIABLE_CHANGE,
        gad7_change >= GAD7_RELIABLE_CHANGE,
    )
    reliable_improvement = any(reliably_down) and not any(reliably_up)
    reliable_deterioration = any(reliably_up) and not any(reliably_down)

    return Classification(
        caseness_at_start=caseness_at_start,
        caseness_at_end=caseness_at_end,
        recovered=recovered,
        reliable_improvement=reliable_improvement,
        reliable_deterioration=reliable_deterioration,
        reliable_recovery=recovered and reliable_improvement,
    )


def within_weeks(days: int, weeks: int) -> bool:
    """True if a wait of ``days`` (referral to first attended treatment) is within ``weeks``.

    A wait of exactly 42 days is within 6 weeks.
    """
    if days < 0:
        raise ValueError(f"a wait cannot be negative, got {days} days")
    if weeks <= 0:
        raise ValueError(f"weeks must be positive, got {weeks}")
    return days <= weeks * 7


def median(values: Sequence[float]) -> float | None:
    """Median of ``values``, or None when there are none (no wait to report)."""
    if not values:
        return None
    return float(statistics.median(values))
