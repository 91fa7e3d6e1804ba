"""The Friends and Family Test on the dashboard: worked figures, hand-computed from a seeded set,
with the same disclosure control as every other table."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest

from clinicians.models import FeedbackResponse, FeedbackStage
from practitioner_health.accounts.models import User
from reporting.models import ALL, FeedbackFact

from .helpers import dashboard_for, page_tables, refresh, shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]

JUNE, JULY = date(2025, 6, 1), date(2025, 7, 1)


def _answers(month: date, region: str, profession: str, **ratings: int) -> None:
    FeedbackResponse.objects.bulk_create(
        FeedbackResponse(
            stage=FeedbackStage.DISCHARGE,
            month=month,
            region=region,
            profession=profession,
            rating=rating.replace("_", "-"),
        )
        for rating, n in ratings.items()
        for _ in range(n)
    )


@pytest.fixture
def answers() -> None:
    # London doctors in June: 60 answers. Positive 20 + 12 = 32; neither 8; negative 5 + 5 = 10;
    # don't know 10.
    _answers(JUNE, "london", "doctor", very_good=20, good=12, neither=8, poor=5, very_poor=5, dont_know=10)
    # Midland dentists in June: 3 answers, all very good.
    _answers(JUNE, "midlands", "dentist", very_good=3)
    # July: 10 London doctors, 9 good and 1 very poor.
    _answers(JULY, "london", "doctor", good=9, very_poor=1)
    refresh(JUNE, JULY)


@pytest.mark.usefixtures("answers")
def test_the_facts_count_each_rating_rolled_up_over_region_and_profession() -> None:
    def n(**cell: str) -> int:
        return sum(
            FeedbackFact.objects.filter(month=JUNE, career_stage=ALL, **cell).values_list("responses", flat=True)
        )

    assert n(region=ALL, profession=ALL) == 63
    assert n(region="london", profession=ALL) == 60
    assert n(region=ALL, profession="dentist") == 3
    assert n(region=ALL, profession=ALL, rating="dont-know") == 10


@pytest.mark.usefixtures("answers")
def test_worked_figures_for_a_region_count_dont_know_in_the_denominator() -> None:
    london = dashboard_for(period="month-2025-06", region="london")

    # 60 answers: positive 32 shows as 30, negative 10 as 10; 30 of 60 is 50.0%, 10 of 60 16.7%.
    # (Leaving "don't know" out would have given 30 of 50, 60.0%.)
    assert shown(london.fft_by_month) == {
        "Jun 2025": ["60", "50.0%", "16.7%"],
        "All responses": ["60", "50.0%", "16.7%"],
    }


@pytest.mark.usefixtures("answers")
def test_worked_figures_nationally_by_month_and_by_region() -> None:
    summer = dashboard_for(period="custom", start="2025-06", end="2025-07")

    # National: June 63 shows as 65, positive 35 (35), negative 10 (10): 53.8% and 15.4%.
    # July 10 (10): positive 9 (10), negative 1 (*): 100.0% and *, and with one hidden rating
    # in the row another (the smallest other non-zero) is hidden too.
    # Together: 73 shows as 75; positive 44 (45) 60.0%; negative 11 (10) 13.3%.
    assert shown(summer.fft_by_month) == {
        "Jun 2025": ["65", "53.8%", "15.4%"],
        "Jul 2025": ["10", "*", "*"],
        "All responses": ["75", "60.0%", "13.3%"],
    }
    regions = shown(summer.fft_by_region)
    # London 70, Midlands 3: one hidden region hides the next smallest, London, with it.
    assert regions["London"] == ["*", "*", "*"]
    assert regions["Midlands"] == ["*", "*", "*"]
    assert regions["North West"] == ["0", "No data", "No data"]
    assert regions["All responses"] == ["75", "60.0%", "13.3%"]


@pytest.mark.usefixtures("answers")
def test_a_handful_of_answers_is_hidden_in_every_view() -> None:
    dentists = dashboard_for(period="month-2025-06", profession="dentist")

    # 3 dentists: the whole table is withheld, the total included.
    assert set(map(tuple, shown(dentists.fft_by_month).values())) == {("*", "*", "*")}
    assert {tuple(v) for k, v in shown(dentists.fft_by_region).items() if v[0] != "0"} == {("*", "*", "*")}


@pytest.mark.usefixtures("answers")
def test_a_career_stage_filter_says_the_answers_do_not_record_one() -> None:
    gps = dashboard_for(period="month-2025-06", career_stage="gp")

    assert shown(gps.fft_by_month) == {"All responses": ["No data", "No data", "No data"]}
    assert "do not record a career stage" in gps.fft_by_month.note


@pytest.mark.usefixtures("answers")
def test_the_page_and_csv_show_the_fft_tables_and_chart_but_never_a_comment(
    commissioner: User, client_for: Callable
) -> None:
    FeedbackResponse.objects.create(
        stage=FeedbackStage.DISCHARGE,
        month=JUNE,
        region="london",
        profession="doctor",
        rating="good",
        comment="Dr Okafor was wonderful",
        has_comment=True,
    )
    refresh(JUNE)
    client = client_for(commissioner)
    params = {"period": "month-2025-06", "region": "london"}

    html = client.get("/reporting/", params).content.decode()
    exported = client.get("/reporting/export.csv", params).content.decode()

    tables = page_tables(html)
    # One more good answer: 61 (60) with 33 positive (35): 58.3%.
    assert tables["Friends and Family Test by month"]["Jun 2025"] == ["60", "58.3%", "16.7%"]
    assert 'aria-labelledby="fft-chart-title fft-chart-desc"' in html
    rows = [row for row in csv.DictReader(io.StringIO(exported)) if row["Table"].startswith("Friends and Family")]
    assert {(row["Row"], row["Column"], row["Value"]) for row in rows} >= {("Jun 2025", "Positive", "58.3")}
    for text in (html, exported):
        assert "Okafor" not in text and "wonderful" not in text
    # Commissioners are not offered the comments page.
    assert "/clinician/feedback/comments/" not in html
