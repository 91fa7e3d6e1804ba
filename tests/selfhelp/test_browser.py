"""The self-help pages in headless Chromium: questionnaires end to end, and axe-core on every page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from selfhelp.models import SavedResult
from selfhelp.questionnaires import MEASURES, Measure
from tests.selfhelp.factories import ArticleFactory, SignpostingEntryFactory
from tests.support.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page: Page, measure: Measure, answers: list[int]) -> None:
    """Tick each answer inside its question's fieldset, found by the legend as a person would."""
    for item, value in zip(measure.items, answers, strict=True):
        label = next(option.label for option in item.options if option.value == value)
        group = page.get_by_role("group", name=f"{item.number}. {item.text}")
        group.get_by_label(label, exact=True).check()


# A moderate result for each measure; the AUDIT-C one is positive.
TOOL_CASES = [
    ("PHQ-9", [2, 2, 1, 1, 1, 1, 2, 1, 0], "11 out of 27", "Signs of moderate low mood"),
    ("GAD-7", [1, 1, 2, 1, 1, 1, 1], "8 out of 21", "Some signs of anxiety"),
    ("AUDIT-C", [3, 1, 1], "5 out of 12", "Worth a closer look"),
    ("AUDIT", [2, 1, 1, 1, 1, 0, 1, 1, 0, 2], "10 out of 40", "Increasing-risk drinking"),
]


@pytest.mark.parametrize(("code", "answers", "total", "title"), TOOL_CASES, ids=[c[0] for c in TOOL_CASES])
def test_each_tool_can_be_filled_in_and_shows_its_result(
    live_server, page: Page, code: str, answers: list[int], total: str, title: str
) -> None:
    measure = MEASURES[code]
    page.goto(f"{live_server.url}/self-help/tools/{measure.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(measure.title)
    expect(page.get_by_role("group")).to_have_count(len(measure.items))
    assert_accessible(page, f"selfhelp-tool-{measure.slug}")

    answer(page, measure, answers)
    page.get_by_role("button", name="See your result").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your {code} result")
    expect(page.locator("#result-total")).to_have_text(total)
    expect(page.locator("#result-band")).to_contain_text(title)
    expect(page.get_by_role("main").get_by_role("link", name="Refer yourself")).to_have_attribute("href", "/refer/")
    expect(page.locator("#urgent-help")).to_have_count(0)
    assert_accessible(page, f"selfhelp-result-{measure.slug}")
    assert SavedResult.objects.count() == 0


def test_missing_answers_are_listed_in_the_error_summary_and_kept(live_server, page: Page) -> None:
    measure = MEASURES["PHQ-9"]
    page.goto(f"{live_server.url}/self-help/tools/phq-9/")
    answer_first_two = measure.items[:2]
    for item in answer_first_two:
        page.get_by_role("group", name=f"{item.number}. {item.text}").get_by_label("Several days").check()
    page.get_by_role("button", name="See your result").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(7)
    expect(summary).to_contain_text("Select an answer for question 3: Trouble falling or staying asleep")
    expect(page).to_have_title(f"Error: {measure.title} - Practitioner Health")
    group_1 = page.get_by_role("group", name=f"1. {measure.items[0].text}")
    expect(group_1.get_by_label("Several days")).to_be_checked()
    assert_accessible(page, "selfhelp-tool-errors")

    summary.get_by_role("link", name="Select an answer for question 3", exact=False).click()
    group_3 = page.get_by_role("group", name=f"3. {measure.items[2].text}")
    expect(group_3.get_by_label("Not at all")).to_be_focused()


def test_phq9_question_9_shows_urgent_help_above_everything_else(live_server, page: Page) -> None:
    page.goto(f"{live_server.url}/self-help/tools/phq-9/")
    answer(page, MEASURES["PHQ-9"], [0, 0, 0, 0, 0, 0, 0, 0, 1])
    page.get_by_role("button", name="See your result").click()

    panel = page.locator("#urgent-help")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("116 123")
    panel_top = panel.bounding_box()["y"]  # type: ignore[index]
    heading_top = page.get_by_role("heading", level=1).bounding_box()["y"]  # type: ignore[index]
    assert panel_top < heading_top
    expect(page.locator("#result-total")).to_have_text("1 out of 27")
    assert_accessible(page, "selfhelp-result-urgent")


def test_a_positive_audit_c_leads_on_to_the_full_audit(live_server, page: Page) -> None:
    page.goto(f"{live_server.url}/self-help/tools/audit-c/")
    answer(page, MEASURES["AUDIT-C"], [4, 2, 2])
    page.get_by_role("button", name="See your result").click()

    page.get_by_role("link", name="Take the full AUDIT questionnaire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(MEASURES["AUDIT"].title)
    expect(page.get_by_role("group")).to_have_count(10)


def test_a_practitioner_saves_a_result_and_finds_it_in_their_results(live_server, signed_in_page, practitioner) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(practitioner)
    page.goto(f"{live_server.url}/self-help/tools/gad-7/")
    answer(page, MEASURES["GAD-7"], [2, 2, 2, 1, 1, 1, 1])
    page.get_by_role("button", name="See your result").click()
    assert_accessible(page, "selfhelp-result-practitioner")

    page.get_by_role("button", name="Save this result").click()

    expect(page.get_by_role("status")).to_contain_text("Your result has been saved")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your GAD-7 result from")
    assert_accessible(page, "selfhelp-saved-result")
    saved = SavedResult.objects.get()
    assert (saved.user_id, saved.total, saved.band) == (practitioner.pk, 10, "moderate")

    page.get_by_role("link", name="All your saved results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your saved questionnaire results")
    expect(page.get_by_role("row")).to_have_count(2)
    expect(page.get_by_role("cell", name="10 out of 21")).to_be_visible()
    assert_accessible(page, "selfhelp-my-results")


def test_landing_list_article_search_and_directory_pages_are_accessible(live_server, page: Page) -> None:
    call_command("load_articles", verbosity=0)
    for number in range(12):
        ArticleFactory(title=f"Extra wellbeing article {number:02d}")
    # The directory the migrations load (Samaritans and the rest), and one entry with a website only.
    SignpostingEntryFactory(name="A charity with a website only", website="https://charity.example", phone="")

    page.goto(f"{live_server.url}/self-help/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-help")
    assert_accessible(page, "selfhelp-index")

    page.get_by_role("link", name="Mental health and wellbeing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mental health and wellbeing")
    expect(page.get_by_role("navigation", name="Pagination")).to_be_visible()
    assert_accessible(page, "selfhelp-article-list")

    page.get_by_role("link", name="Burnout, and what helps").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Burnout, and what helps")
    expect(page.get_by_text("Next review due")).to_be_visible()
    assert_accessible(page, "selfhelp-article")

    page.get_by_role("link", name="Mental health and wellbeing").click()
    page.get_by_label("Search self-help articles").fill("sleep")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Search results")
    expect(page.get_by_role("link", name="Sleep and shift work")).to_be_visible()
    assert_accessible(page, "selfhelp-search")

    page.goto(f"{live_server.url}/self-help/directory/")
    expect(page.get_by_role("heading", level=2, name="Urgent help")).to_be_visible()
    main = page.locator("#maincontent")
    expect(main.get_by_role("link", name="116 123")).to_have_attribute("href", "tel:116123")
    expect(main.get_by_role("link", name="85258 (text SHOUT)")).to_have_attribute("href", "sms:85258?&body=SHOUT")
    assert_accessible(page, "selfhelp-directory")
