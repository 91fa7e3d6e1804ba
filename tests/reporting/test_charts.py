"""The server-drawn SVG charts: accessible images of already-disclosed figures, no inline styles."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

import pytest

from reporting.charts import Bar, BarGroup, Standard, axis_step, bar_chart, line_chart, outcomes_chart, waits_chart
from reporting.figures import Figure, Row, Table
from reporting.periods import add_months

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [add_months(date(2024, 7, 1), n) for n in range(12)]


def _trend(values: list[int | str]) -> Table:
    rows = tuple(Row(f"{month:%b %Y}", (Figure(value),)) for month, value in zip(MONTHS, values, strict=True))
    return Table("referrals-by-month", "Referrals received per month", "Month", ("Referrals",), rows)


def _parse(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def _texts(root: ElementTree.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_line_chart_is_an_image_with_a_title_and_a_description_in_words() -> None:
    svg = line_chart(_trend([40, 35, 50, 45, 60, 55, 70, 65, 80, 75, 90, 85]), MONTHS, chart_id="c", title="Referrals")

    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "Referrals"  # type: ignore[union-attr]
    description = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "July 2024 to June 2025" in description
    assert "Highest: 90 in May 2025" in description and "Lowest: 35 in August 2024" in description
    assert "style=" not in svg
    # Gridlines in whole steps: 0, 25, 50, 75, 100.
    assert ["0", "25", "50", "75", "100"] == _texts(root)[:5]


def test_a_hidden_month_is_marked_not_plotted_and_breaks_the_line() -> None:
    svg = line_chart(_trend([40, 35, "*", 45, 60, 55, 70, 65, 80, 75, 90, 85]), MONTHS, chart_id="c", title="Referrals")

    root = _parse(svg)
    lines = root.findall(f"{SVG}polyline")
    assert [len((line.get("points") or "").split()) for line in lines] == [2, 9]
    assert len(root.findall(f"{SVG}circle")) == 11
    assert "1 of the months are hidden to protect confidentiality" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert "*" in _texts(root)


@pytest.mark.parametrize(
    ("largest", "step"), [(0, 1), (3, 1), (5, 2), (17, 5), (90, 25), (1234, 500), (99_999, 25_000)]
)
def test_axis_steps_are_whole_round_numbers(largest: float, step: int) -> None:
    assert axis_step(largest) == step


def test_bars_carry_their_name_and_value_in_text_and_show_the_standard() -> None:
    svg = bar_chart(
        [
            BarGroup(
                "Referral to first treatment",
                (Bar("Within 6 weeks", Figure(44.4, "percent")), Bar("Within 18 weeks", Figure("*", "percent"))),
            )
        ],
        chart_id="w",
        title="Waits",
        standards=[Standard(75, "6-week standard 75%")],
    )

    root = _parse(svg)
    texts = _texts(root)
    assert {
        "Referral to first treatment",
        "Within 6 weeks",
        "44.4%",
        "Within 18 weeks",
        "* (hidden)",
        "6-week standard 75%",
    } <= set(texts)
    # One bar drawn: the hidden figure gets none.
    assert len(root.findall(f"{SVG}rect")) == 1
    assert "within 18 weeks hidden to protect confidentiality" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert "style=" not in svg


def test_text_in_a_chart_is_escaped() -> None:
    svg = bar_chart(
        [BarGroup("<script>alert(1)</script>", (Bar("a & b", Figure(10.0, "percent")),))], chart_id="x", title="T"
    )

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "a &amp; b" in svg
    _parse(svg)


def test_the_dashboard_charts_draw_the_wait_and_outcome_tables() -> None:
    waits = Table(
        "waits",
        "Waits",
        "Wait",
        ("Waits", "Median", "Within 6 weeks", "Within 18 weeks"),
        (
            Row(
                "Referral to first treatment",
                (Figure(9), Figure(43.0, "days"), Figure(44.4, "percent"), Figure(77.8, "percent")),
            ),
        ),
    )
    outcomes = Table(
        "outcomes",
        "Outcomes",
        "Outcome",
        ("Number", "Out of", "Rate"),
        (Row("Recovery (standard 50%)", (Figure(2), Figure(3), Figure(66.7, "percent"))),),
    )

    waits_text = _texts(_parse(waits_chart(waits)))
    outcome_text = _texts(_parse(outcomes_chart(outcomes)))

    assert {"44.4%", "77.8%", "6-week standard 75%", "18-week standard 95%"} <= set(waits_text)
    assert {"Recovery", "66.7%", "Recovery standard 50%"} <= set(outcome_text)
