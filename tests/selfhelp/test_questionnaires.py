"""Scoring rules for the self-help questionnaires, checked against DOMAIN.md's table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfhelp.questionnaires import (
    MEASURES,
    URGENT_GUIDANCE,
    Measure,
    band_guidance,
    measure_for_slug,
    score,
)


def answers_totalling(code: str, total: int) -> list[int]:
    """Fill items greedily, first to last, so a chosen total is reached with valid answers.

    PHQ-9 item 9 is filled last, so totals up to 24 leave it at 0 and never set `urgent`.
    """
    answers = []
    remaining = total
    for item in MEASURES[code].items:
        answer = max(value for value in item.allowed_values if value <= remaining)
        answers.append(answer)
        remaining -= answer
    assert remaining == 0, f"cannot make {total} on {code}"
    return answers


# Both sides of every band boundary, plus each measure's floor and ceiling.
BOUNDARIES = [
    ("PHQ-9", 0, "minimal"),
    ("PHQ-9", 4, "minimal"),
    ("PHQ-9", 5, "mild"),
    ("PHQ-9", 9, "mild"),
    ("PHQ-9", 10, "moderate"),
    ("PHQ-9", 14, "moderate"),
    ("PHQ-9", 15, "moderately severe"),
    ("PHQ-9", 19, "moderately severe"),
    ("PHQ-9", 20, "severe"),
    ("PHQ-9", 27, "severe"),
    ("GAD-7", 0, "minimal"),
    ("GAD-7", 4, "minimal"),
    ("GAD-7", 5, "mild"),
    ("GAD-7", 9, "mild"),
    ("GAD-7", 10, "moderate"),
    ("GAD-7", 14, "moderate"),
    ("GAD-7", 15, "severe"),
    ("GAD-7", 21, "severe"),
    ("AUDIT-C", 0, "negative"),
    ("AUDIT-C", 4, "negative"),
    ("AUDIT-C", 5, "positive"),
    ("AUDIT-C", 12, "positive"),
    ("AUDIT", 0, "lower risk"),
    ("AUDIT", 7, "lower risk"),
    ("AUDIT", 8, "increasing risk"),
    ("AUDIT", 15, "increasing risk"),
    ("AUDIT", 16, "higher risk"),
    ("AUDIT", 19, "higher risk"),
    ("AUDIT", 20, "possible dependence"),
    ("AUDIT", 40, "possible dependence"),
]


@pytest.mark.parametrize(
    ("code", "total", "band"),
    BOUNDARIES,
    ids=[f"{code}-{total}-{band}" for code, total, band in BOUNDARIES],
)
def test_each_total_falls_in_the_published_band(code: str, total: int, band: str) -> None:
    result = score(code, answers_totalling(code, total))

    assert result.code == code
    assert result.total == total
    assert result.band == band


def test_audit_totals_reached_only_through_items_9_and_10_are_banded() -> None:
    # Items 9 and 10 score 0/2/4: check a total built from them lands correctly too.
    result = score("AUDIT", [1, 1, 1, 1, 0, 0, 0, 0, 4, 0])

    assert (result.total, result.band) == (8, "increasing risk")


@pytest.mark.parametrize("code", sorted(MEASURES))
def test_bands_cover_every_possible_total_exactly_once(code: str) -> None:
    measure = MEASURES[code]
    covered = [t for band in measure.bands for t in range(band.lowest, band.highest + 1)]

    assert covered == list(range(measure.min_total, measure.max_total + 1))


# --- Urgent flag ---------------------------------------------------------------------------


@pytest.mark.parametrize("item_9", [1, 2, 3])
def test_any_answer_above_zero_on_phq9_item_9_is_urgent_even_with_a_tiny_total(
    item_9: int,
) -> None:
    result = score("PHQ-9", [0] * 8 + [item_9])

    assert result.urgent is True
    assert result.total == item_9
    assert result.band == "minimal"


def test_phq9_high_scores_on_other_items_are_not_urgent() -> None:
    result = score("PHQ-9", [3] * 8 + [0])

    assert result.total == 24
    assert result.band == "severe"
    assert result.urgent is False


@pytest.mark.parametrize("code", ["GAD-7", "AUDIT-C", "AUDIT"])
def test_other_measures_are_never_urgent_even_at_their_maximum(code: str) -> None:
    measure = MEASURES[code]
    answers = [max(item.allowed_values) for item in measure.items]

    assert score(code, answers).urgent is False


def test_urgent_guidance_gives_crisis_numbers() -> None:
    text = URGENT_GUIDANCE.next_steps

    for number in ("999", "111", "option 2", "116 123", "85258", "0330 123 1245"):
        assert number in text


# --- Invalid input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "count"),
    [("PHQ-9", 8), ("PHQ-9", 10), ("GAD-7", 6), ("GAD-7", 8), ("AUDIT-C", 2), ("AUDIT", 9)],
)
def test_it_refuses_the_wrong_number_of_answers(code: str, count: int) -> None:
    with pytest.raises(ValueError, match=f"{code} needs {len(MEASURES[code].items)} answers"):
        score(code, [0] * count)


def test_it_refuses_a_blank_questionnaire() -> None:
    with pytest.raises(ValueError, match="got 0"):
        score("GAD-7", [])


@pytest.mark.parametrize("code", ["PHQ9", "phq-9", "AUDIT-D", ""])
def test_it_refuses_an_unknown_measure_code(code: str) -> None:
    with pytest.raises(ValueError, match="unknown questionnaire"):
        score(code, [0] * 9)


@pytest.mark.parametrize("code", ["PHQ-9", "GAD-7"])
def test_it_refuses_4_on_a_0_to_3_item_and_names_the_item(code: str) -> None:
    answers = [0] * len(MEASURES[code].items)
    answers[2] = 4

    with pytest.raises(ValueError, match=r"item 3: answer 4 is not allowed; .* 0, 1, 2, 3"):
        score(code, answers)


def test_it_refuses_5_on_an_audit_c_item() -> None:
    with pytest.raises(ValueError, match=r"item 1: answer 5 .* 0, 1, 2, 3, 4"):
        score("AUDIT-C", [5, 0, 0])


@pytest.mark.parametrize("item_number", [9, 10])
@pytest.mark.parametrize("answer", [1, 3])
def test_it_refuses_odd_answers_on_audit_items_9_and_10(item_number: int, answer: int) -> None:
    answers = [0] * 10
    answers[item_number - 1] = answer

    with pytest.raises(ValueError, match=rf"item {item_number}: answer {answer} .* allowed values are 0, 2, 4"):
        score("AUDIT", answers)


@pytest.mark.parametrize("answer", [2, 4])
def test_it_accepts_even_answers_on_audit_items_9_and_10(answer: int) -> None:
    assert score("AUDIT", [0] * 8 + [answer, answer]).total == 2 * answer


@pytest.mark.parametrize("code", sorted(MEASURES))
def test_it_refuses_a_negative_answer(code: str) -> None:
    answers = [0] * len(MEASURES[code].items)
    answers[0] = -1

    with pytest.raises(ValueError, match="item 1: answer -1 is not allowed"):
        score(code, answers)


@pytest.mark.parametrize("bad", ["1", 1.0, None, 2.5])
def test_it_refuses_an_answer_that_is_not_a_whole_number(bad: object) -> None:
    with pytest.raises(ValueError, match="item 2: answer must be a whole number"):
        score("GAD-7", [0, bad, 0, 0, 0, 0, 0])  # type: ignore[list-item]


@pytest.mark.parametrize("bad", [True, False])
def test_it_refuses_a_boolean_answer_even_though_bool_is_an_int(bad: bool) -> None:
    with pytest.raises(ValueError, match="item 9: answer must be a whole number"):
        score("PHQ-9", [0] * 8 + [bad])


# --- Definitions, slugs and guidance -------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "items", "max_total"),
    [("PHQ-9", 9, 27), ("GAD-7", 7, 21), ("AUDIT-C", 3, 12), ("AUDIT", 10, 40)],
)
def test_each_measure_has_the_published_shape(code: str, items: int, max_total: int) -> None:
    measure = MEASURES[code]

    assert len(measure.items) == items
    assert [item.number for item in measure.items] == list(range(1, items + 1))
    assert (measure.min_total, measure.max_total) == (0, max_total)


def test_phq9_and_gad7_ask_about_the_last_two_weeks_with_the_standard_answers() -> None:
    for code in ("PHQ-9", "GAD-7"):
        measure = MEASURES[code]
        assert measure.stem.startswith("Over the last 2 weeks")
        assert [(o.value, o.label) for o in measure.items[0].options] == [
            (0, "Not at all"),
            (1, "Several days"),
            (2, "More than half the days"),
            (3, "Nearly every day"),
        ]


def test_audit_c_is_the_first_three_audit_items() -> None:
    assert MEASURES["AUDIT-C"].items == MEASURES["AUDIT"].items[:3]


@pytest.mark.parametrize(
    ("slug", "code"),
    [("phq-9", "PHQ-9"), ("gad-7", "GAD-7"), ("audit-c", "AUDIT-C"), ("audit", "AUDIT")],
)
def test_url_slugs_find_their_measure(slug: str, code: str) -> None:
    measure = measure_for_slug(slug)

    assert measure.code == code
    assert measure.slug == slug


@pytest.mark.parametrize("slug", ["phq9", "PHQ-9", "audit-x", ""])
def test_an_unknown_slug_raises_key_error(slug: str) -> None:
    with pytest.raises(KeyError):
        measure_for_slug(slug)


@pytest.mark.parametrize(
    ("code", "band"),
    [(code, band.name) for code, measure in MEASURES.items() for band in measure.bands],
)
def test_every_band_has_guidance(code: str, band: str) -> None:
    guidance = band_guidance(code, band)

    assert guidance.title
    assert guidance.meaning
    assert guidance.next_steps


def test_a_positive_audit_c_suggests_taking_the_full_audit() -> None:
    result = score("AUDIT-C", [2, 2, 1])

    assert result.band == "positive"
    assert "full AUDIT" in result.guidance.next_steps


def test_moderate_or_worse_guidance_points_to_practitioner_health() -> None:
    for code, band in [("PHQ-9", "moderate"), ("PHQ-9", "severe"), ("GAD-7", "severe")]:
        assert "Practitioner Health" in band_guidance(code, band).next_steps


def test_unknown_band_guidance_raises_value_error() -> None:
    with pytest.raises(ValueError, match="no guidance"):
        band_guidance("PHQ-9", "positive")


# --- Property ------------------------------------------------------------------------------


@st.composite
def valid_answers(draw: st.DrawFn) -> tuple[Measure, list[int]]:
    measure = draw(st.sampled_from(list(MEASURES.values())))
    answers = [draw(st.sampled_from(item.allowed_values)) for item in measure.items]
    return measure, answers


@given(valid_answers())
def test_any_valid_answers_score_within_range_and_total_is_their_sum(
    case: tuple[Measure, list[int]],
) -> None:
    measure, answers = case

    result = score(measure.code, answers)

    assert result.total == sum(answers)
    assert measure.min_total <= result.total <= measure.max_total
    assert result.band == measure.band_for(result.total).name
    assert result.urgent == (measure.code == "PHQ-9" and answers[8] > 0)
