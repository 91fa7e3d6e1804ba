"""NHS Talking Therapies outcome definitions (DOMAIN.md), checked case by case."""

from __future__ import annotations

import pytest

from reporting.metrics import (
    RECOVERY_STANDARD,
    WAIT_STANDARDS,
    Classification,
    classify,
    is_caseness,
    median,
    within_weeks,
)

# Columns of each expected outcome, in Classification's field order.
OUTCOME_FIELDS = (
    "caseness_at_start",
    "caseness_at_end",
    "recovered",
    "reliable_improvement",
    "reliable_deterioration",
    "reliable_recovery",
)

T, F = True, False

# (first PHQ-9, first GAD-7, last PHQ-9, last GAD-7), then the expected outcome flags.
CASES = [
    pytest.param((8, 6, 1, 0), (F, F, F, T, F, F), id="below-caseness-at-start-so-never-recovered"),
    pytest.param((9, 7, 9, 7), (F, F, F, F, F, F), id="just-below-both-thresholds-throughout"),
    pytest.param((10, 0, 10, 0), (T, T, F, F, F, F), id="phq9-exactly-10-is-caseness"),
    pytest.param((0, 8, 0, 8), (T, T, F, F, F, F), id="gad7-exactly-8-is-caseness"),
    pytest.param((0, 7, 0, 7), (F, F, F, F, F, F), id="gad7-7-is-not-caseness"),
    pytest.param((12, 9, 9, 7), (T, F, T, F, F, F), id="recovered-but-changes-too-small-to-be-reliable"),
    pytest.param((20, 15, 8, 5), (T, F, T, T, F, T), id="reliable-recovery-on-both-measures"),
    pytest.param((16, 6, 10, 6), (T, T, F, T, F, F), id="phq9-falls-exactly-6-improved-not-recovered"),
    pytest.param((16, 6, 11, 6), (T, T, F, F, F, F), id="phq9-falls-5-is-not-reliable"),
    pytest.param((5, 12, 5, 8), (T, T, F, T, F, F), id="gad7-falls-exactly-4-is-reliable"),
    pytest.param((5, 12, 5, 9), (T, T, F, F, F, F), id="gad7-falls-3-is-not-reliable"),
    pytest.param((14, 7, 8, 7), (T, F, T, T, F, T), id="reliable-improvement-on-phq9-only-gad7-unchanged"),
    pytest.param(
        (18, 5, 8, 9),
        (T, T, F, F, F, F),
        id="phq9-reliably-better-gad7-reliably-worse-is-neither",
    ),
    pytest.param(
        (18, 5, 8, 7),
        (T, F, T, T, F, T),
        id="gad7-rise-of-2-does-not-cancel-phq9-improvement",
    ),
    pytest.param((4, 3, 10, 3), (F, T, F, F, T, F), id="phq9-rises-exactly-6-is-deterioration"),
    pytest.param((4, 3, 9, 3), (F, F, F, F, F, F), id="phq9-rises-5-is-not-deterioration"),
    pytest.param((4, 3, 4, 7), (F, F, F, F, T, F), id="gad7-rises-exactly-4-is-deterioration"),
    pytest.param((4, 3, 4, 6), (F, F, F, F, F, F), id="gad7-rises-3-is-not-deterioration"),
    pytest.param((10, 10, 16, 14), (T, T, F, F, T, F), id="reliable-deterioration-on-both-measures"),
    pytest.param(
        (4, 12, 10, 4),
        (T, T, F, F, F, F),
        id="gad7-reliably-better-phq9-reliably-worse-is-neither",
    ),
    pytest.param((27, 21, 0, 0), (T, F, T, T, F, T), id="maximum-to-minimum"),
    pytest.param((0, 0, 27, 21), (F, T, F, F, T, F), id="minimum-to-maximum"),
]


@pytest.mark.parametrize(("scores", "expected"), CASES)
def test_course_is_classified_by_talking_therapies_rules(
    scores: tuple[int, int, int, int], expected: tuple[bool, ...]
) -> None:
    result = classify(*scores)

    assert isinstance(result, Classification)
    assert {field: getattr(result, field) for field in OUTCOME_FIELDS} == dict(
        zip(OUTCOME_FIELDS, expected, strict=True)
    )


def test_reliable_recovery_requires_both_recovery_and_reliable_improvement() -> None:
    # Recovered (12 -> 9 leaves caseness) but a 3-point fall is not reliable.
    assert classify(12, 0, 9, 0).reliable_recovery is False
    # Reliable improvement (18 -> 12) but still at caseness, so not recovered.
    assert classify(18, 0, 12, 0).reliable_recovery is False
    assert classify(18, 0, 9, 0).reliable_recovery is True


@pytest.mark.parametrize(
    ("phq9", "gad7", "expected"),
    [(9, 7, False), (10, 7, True), (9, 8, True), (0, 0, False), (27, 21, True)],
    ids=["both-below", "phq9-at-10", "gad7-at-8", "zero", "maximum"],
)
def test_caseness_is_phq9_10_or_gad7_8(phq9: int, gad7: int, expected: bool) -> None:
    assert is_caseness(phq9, gad7) is expected


@pytest.mark.parametrize(
    "scores",
    [(28, 0, 0, 0), (0, 22, 0, 0), (0, 0, -1, 0), (0, 0, 0, -1), (0, 0, 0, 22)],
    ids=[
        "first-phq9-28",
        "first-gad7-22",
        "last-phq9-negative",
        "last-gad7-negative",
        "last-gad7-22",
    ],
)
def test_scores_outside_the_measure_range_are_refused(scores: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError, match="must be between 0 and"):
        classify(*scores)


@pytest.mark.parametrize("bad", [True, 10.0, "10", None])
def test_a_score_that_is_not_a_whole_number_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="must be a whole number"):
        classify(bad, 0, 0, 0)  # type: ignore[arg-type]


# --- Waiting times -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "weeks", "expected"),
    [(0, 6, True), (42, 6, True), (43, 6, False), (126, 18, True), (127, 18, False)],
    ids=[
        "same-day",
        "exactly-6-weeks",
        "6-weeks-and-a-day",
        "exactly-18-weeks",
        "18-weeks-and-a-day",
    ],
)
def test_a_wait_counts_as_within_the_standard_up_to_the_last_day(days: int, weeks: int, expected: bool) -> None:
    assert within_weeks(days, weeks) is expected


def test_a_negative_wait_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        within_weeks(-1, 6)


def test_a_non_positive_standard_is_refused() -> None:
    with pytest.raises(ValueError, match="weeks must be positive"):
        within_weeks(3, 0)


def test_standards_match_the_published_targets() -> None:
    assert WAIT_STANDARDS == {6: 75.0, 18: 95.0}
    assert RECOVERY_STANDARD == 50.0


def test_median_handles_odd_even_and_empty_lists() -> None:
    assert median([30, 10, 20]) == 20.0
    assert median([10, 20, 30, 40]) == 25.0
    assert median([]) is None
