"""Disclosure control: the NHS Digital HES/ECDS rules in DOMAIN.md, worked by hand."""

from __future__ import annotations

import pytest

from reporting.disclosure import SUPPRESSED, rate, suppress, suppress_mean, suppress_median

# --- Counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, 0),
        (1, "*"),
        (2, "*"),
        (7, "*"),
        (8, 10),
        (10, 10),
        (12, 10),
        (13, 15),
        (15, 15),
        (17, 15),
        (18, 20),
        (22, 20),
        (23, 25),
        (99, 100),
        (1_002, 1_000),
        (1_003, 1_005),
        (123_457, 123_455),
        (123_458, 123_460),
    ],
    ids=lambda value: str(value),
)
def test_counts_are_hidden_below_8_and_rounded_to_the_nearest_5(count: int, shown: object) -> None:
    assert suppress(count) == shown


def test_zero_stays_zero_rather_than_being_hidden() -> None:
    assert suppress(0) == 0


def test_suppression_marker_is_an_asterisk() -> None:
    assert SUPPRESSED == "*"
    assert suppress(3) == SUPPRESSED


@pytest.mark.parametrize("count", [0, 1, 7, 8, 12, 13, 123_457])
def test_national_counts_are_never_suppressed_or_rounded(count: int) -> None:
    assert suppress(count, national=True) == count


@pytest.mark.parametrize("national", [False, True])
def test_a_negative_count_is_refused(national: bool) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        suppress(-1, national=national)


@pytest.mark.parametrize("bad", [True, 8.0, "8", None])
def test_a_count_that_is_not_an_int_is_refused(bad: object) -> None:
    with pytest.raises(TypeError, match="must be an int"):
        suppress(bad)  # type: ignore[arg-type]


# --- Rates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        # 13 -> 15 and 22 -> 20: 15 / 20 = 75.0%, not the raw 59.1%.
        (13, 22, 75.0),
        # 8 -> 10 and 12 -> 10: 100.0%, not the raw 66.7%.
        (8, 12, 100.0),
        # 18 -> 20 and 33 -> 35: 20 / 35 = 57.142...% -> 57.1.
        (18, 33, 57.1),
        # 12 -> 10 and 28 -> 30: 10 / 30 = 33.333...% -> 33.3.
        (12, 28, 33.3),
        # 22 -> 20 and 28 -> 30: 20 / 30 = 66.666...% -> 66.7.
        (22, 28, 66.7),
        # 0 stays 0: 0 / 10 = 0.0%.
        (0, 9, 0.0),
        # 1 / 2000 = 0.05% exactly; halves round up to 0.1, not to even.
        (1000, 2_000_000, 0.1),
    ],
    ids=["13-of-22", "8-of-12", "18-of-33", "12-of-28", "22-of-28", "0-of-9", "half-up"],
)
def test_rates_are_worked_from_the_rounded_figures(numerator: int, denominator: int, expected: float) -> None:
    assert rate(numerator, denominator) == expected


def test_rate_13_of_22_matches_the_hand_worked_figure() -> None:
    assert rate(13, 22) == round(15 / 20 * 100, 1) == 75.0


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [(1, 50), (7, 50), (5, 7), (0, 3), (3, 3)],
    ids=["numerator-1", "numerator-7", "denominator-7", "zero-over-small", "both-small"],
)
def test_rate_is_hidden_when_either_figure_is_suppressed(numerator: int, denominator: int) -> None:
    assert rate(numerator, denominator) == "*"


def test_rate_over_a_zero_denominator_is_hidden() -> None:
    assert rate(0, 0) == "*"


def test_national_rate_over_a_zero_denominator_is_hidden() -> None:
    assert rate(0, 0, national=True) == "*"


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(13, 22, 59.1), (1, 3, 33.3), (2, 3, 66.7), (7, 7, 100.0), (0, 5, 0.0)],
    ids=["13-of-22", "1-of-3", "2-of-3", "7-of-7", "0-of-5"],
)
def test_national_rates_use_the_raw_counts(numerator: int, denominator: int, expected: float) -> None:
    assert rate(numerator, denominator, national=True) == expected


def test_a_negative_figure_in_a_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative, got -1"):
        rate(-1, 20)
    with pytest.raises(ValueError, match="cannot be negative, got -20"):
        rate(5, -20, national=True)


# --- Means and medians ---------------------------------------------------------------------


def test_median_of_no_values_is_none() -> None:
    assert suppress_median([]) is None
    assert suppress_mean([]) is None


def test_median_of_one_value_is_hidden() -> None:
    assert suppress_median([14]) == "*"


def test_median_of_seven_values_is_hidden() -> None:
    assert suppress_median([3, 5, 8, 13, 21, 34, 55]) == "*"


def test_median_of_eight_values_is_shown() -> None:
    # Middle pair of 3, 5, 8, 13, 21, 34, 55, 89 is 13 and 21.
    assert suppress_median([89, 3, 55, 5, 34, 8, 21, 13]) == 17.0


def test_median_of_nine_values_is_the_middle_one() -> None:
    assert suppress_median([9, 1, 8, 2, 7, 3, 6, 4, 5]) == 5.0


def test_mean_of_seven_values_is_hidden_and_of_eight_is_shown() -> None:
    assert suppress_mean([1, 2, 3, 4, 5, 6, 7]) == "*"
    assert suppress_mean([1, 2, 3, 4, 5, 6, 7, 8]) == 4.5


def test_national_median_and_mean_are_shown_for_small_groups() -> None:
    assert suppress_median([4, 10, 6], national=True) == 6.0
    assert suppress_mean([4, 10, 7], national=True) == 7.0
    assert suppress_median([], national=True) is None
