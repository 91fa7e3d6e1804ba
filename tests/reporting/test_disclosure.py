"""Disclosure control: the rules in DOMAIN.md and docs/reporting.md, worked by hand."""

from __future__ import annotations

import pytest

from reporting.disclosure import (
    SUPPRESSED,
    rate,
    shown_rate,
    suppress,
    suppress_breakdown,
    suppress_mean,
    suppress_median,
)

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


def test_there_is_no_exemption_for_national_counts() -> None:
    with pytest.raises(TypeError):
        suppress(3, national=True)  # type: ignore[call-arg]


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        suppress(-1)


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


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(10, 15, 66.7), ("*", 15, "*"), (10, "*", "*"), (0, 0, "*"), (0, 10, 0.0)],
    ids=["both-shown", "numerator-hidden", "denominator-hidden", "nothing-over-nothing", "none-of-ten"],
)
def test_a_rate_of_published_figures_is_hidden_when_either_is(
    numerator: int | str, denominator: int | str, expected: object
) -> None:
    assert shown_rate(numerator, denominator) == expected


def test_a_negative_figure_in_a_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative, got -1"):
        rate(-1, 20)
    with pytest.raises(ValueError, match="cannot be negative, got -20"):
        rate(5, -20)


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


def test_a_median_of_a_small_national_group_is_hidden_too() -> None:
    with pytest.raises(TypeError):
        suppress_median([4, 10, 6], national=True)  # type: ignore[call-arg]
    assert suppress_median([4, 10, 6]) == "*"


# --- Breakdowns ----------------------------------------------------------------------------


def test_a_breakdown_with_no_small_cell_is_only_rounded() -> None:
    assert suppress_breakdown([9, 0, 23, 12]) == [10, 0, 25, 10]


def test_a_breakdown_whose_total_is_hidden_is_withheld_whole_zeros_included() -> None:
    # One gambling referral: naming its region, even as "*", beside zeros, gives it away.
    assert suppress_breakdown([0, 1, 0, 0]) == ["*", "*", "*", "*"]
    assert suppress_breakdown([3, 4]) == ["*", "*"]


def test_a_breakdown_of_a_given_total_is_withheld_when_that_total_is_hidden() -> None:
    # Needs overlap: two needs each for 3 referrals. The total is what decides.
    assert suppress_breakdown([3, 3, 0], total=3) == ["*", "*", "*"]
    assert suppress_breakdown([8, 8, 0], total=9) == [10, 10, 0]


def test_a_lone_hidden_cell_takes_the_smallest_other_non_zero_cell_with_it() -> None:
    # 3 and 9 of 12: the total (10) less the rest (10) would give the 3 away.
    assert suppress_breakdown([0, 9, 3]) == [0, "*", "*"]
    # The smallest as published (10 beside 15 and 20), never a zero.
    assert suppress_breakdown([20, 0, 2, 14, 9]) == [20, 0, "*", 15, "*"]


def test_a_tie_for_the_second_hidden_cell_goes_to_the_first_in_order() -> None:
    # 12 and 8 both show as 10: which of them is hidden must not say which is smaller.
    assert suppress_breakdown([12, 8, 5]) == ["*", 10, "*"]
    assert suppress_breakdown([8, 12, 5]) == ["*", 10, "*"]


def test_two_hidden_cells_need_no_third() -> None:
    assert suppress_breakdown([2, 3, 20]) == ["*", "*", 20]


def test_an_empty_breakdown_stays_zero() -> None:
    assert suppress_breakdown([0, 0, 0]) == [0, 0, 0]
    assert suppress_breakdown([]) == []


def test_a_negative_cell_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        suppress_breakdown([10, -1])
