"""The questionnaire pages: form, errors, result, urgent help and nothing stored for visitors."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from practitioner_health.audit.models import AuditEvent
from selfhelp.models import SavedResult
from selfhelp.questionnaires import MEASURES
from tests.selfhelp.conftest import answers_form

pytestmark = pytest.mark.django_db

TOOL_SLUGS = [measure.slug for measure in MEASURES.values()]


def tool_url(slug: str) -> str:
    return reverse("selfhelp:tool", kwargs={"slug": slug})


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("slug", TOOL_SLUGS)
def test_each_tool_asks_every_question_as_a_radio_group_with_a_legend(client: Client, slug: str) -> None:
    measure = next(m for m in MEASURES.values() if m.slug == slug)

    response = client.get(tool_url(slug))

    assert response.status_code == 200
    html = text_of(response)
    assert html.count('<fieldset class="nhsuk-fieldset"') == len(measure.items)
    for item in measure.items:
        assert f"{item.number}. {item.text}" in html
        for index, option in enumerate(item.options):
            assert (
                f'id="id_item_{item.number}_{index}" name="item_{item.number}" type="radio" value="{option.value}"'
                in html
            )
    assert "Exit this page" in html
    assert "nhsuk-error-summary" not in html


def test_submitting_nothing_lists_every_question_in_the_error_summary(client: Client) -> None:
    response = client.post(tool_url("phq-9"), {})

    assert response.status_code == 200
    html = text_of(response)
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert '<a href="#id_item_3_0">Select an answer for question 3: Trouble falling or staying asleep…</a>' in html
    assert html.count("nhsuk-form-group--error") == 9
    # Long questions are shortened to a recognisable phrase, not left out.
    assert "Select an answer for question 8: Moving or speaking so slowly that other people could have noticed…" in html
    assert "Select an answer for question 2: Feeling down, depressed, or hopeless</a>" in html


def test_a_partly_answered_questionnaire_keeps_the_answers_given_and_is_not_scored(client: Client) -> None:
    data = {"item_1": "2", "item_2": "3", "item_4": "1"}

    response = client.post(tool_url("gad-7"), data)

    html = text_of(response)
    assert "Your score" not in html
    assert 'id="id_item_1_2" name="item_1" type="radio" value="2" checked' in html
    assert 'id="id_item_2_3" name="item_2" type="radio" value="3" checked' in html
    assert 'id="id_item_4_1" name="item_4" type="radio" value="1" checked' in html
    assert "Select an answer for question 3: Worrying too much about different things" in html
    assert "Select an answer for question 1" not in html
    # The group in error points screen readers at its message.
    assert 'aria-describedby="id_item_3-error"' in html


def test_an_answer_the_question_does_not_offer_is_an_error_not_a_crash(client: Client) -> None:
    data = answers_form("AUDIT", [0] * 10) | {"item_9": "3", "item_2": "not-a-number"}

    response = client.post(tool_url("audit"), data)

    assert response.status_code == 200
    html = text_of(response)
    assert "Select an answer for question 9: Have you or someone else been injured as a result" in html
    assert "Select an answer for question 2:" in html


@pytest.mark.parametrize(
    ("slug", "answers", "total", "title"),
    [
        ("phq-9", [2, 2, 1, 1, 1, 1, 2, 1, 0], 11, "Signs of moderate low mood"),
        ("gad-7", [0, 1, 0, 0, 0, 0, 0], 1, "Few signs of anxiety"),
        ("audit-c", [1, 0, 0], 1, "Lower-risk drinking"),
        ("audit", [4, 4, 4, 4, 4, 2, 2, 0, 0, 2], 26, "Possible alcohol dependence"),
    ],
)
def test_a_complete_questionnaire_shows_total_band_meaning_next_steps_and_refer_link(
    client: Client, slug: str, answers: list[int], total: int, title: str
) -> None:
    measure = next(m for m in MEASURES.values() if m.slug == slug)

    response = client.post(tool_url(slug), answers_form(measure.code, answers))

    assert response.status_code == 200
    html = text_of(response)
    assert f"Your {measure.code} result" in html
    assert f"<strong>{total}</strong> out of {measure.max_total}" in html
    assert title in html
    assert "What this means" in html
    assert "What to do next" in html
    assert f'href="{reverse("referrals:start")}"' in html
    assert "Refer yourself" in html
    assert 'id="urgent-help"' not in html


def test_the_result_is_never_cached_and_the_answers_are_not_in_any_link(client: Client) -> None:
    response = client.post(tool_url("phq-9"), answers_form("PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3, 0]))

    assert "no-store" in response["Cache-Control"]
    assert "item_1=" not in response.content.decode()
    assert "?" not in response.get("Location", "")


@pytest.mark.parametrize("item_9", [1, 2, 3])
def test_any_answer_above_zero_to_phq9_question_9_puts_urgent_help_above_everything(
    client: Client, item_9: int
) -> None:
    response = client.post(tool_url("phq-9"), answers_form("PHQ-9", [0] * 8 + [item_9]))

    html = text_of(response)
    main = html[html.index('<main class="nhsuk-main-wrapper"') :]
    panel = main.index('id="urgent-help"')
    assert panel < main.index("<h1>")
    assert panel < main.index("Your score")
    for number in ("999", "option 2", "116 123", "85258", "0330 123 1245"):
        assert number in main[: main.index("<h1>")]
    # The total is still minimal: the urgent panel does not depend on it.
    assert "<strong>" + str(item_9) + "</strong> out of 27" in html


def test_a_high_phq9_total_without_question_9_does_not_show_the_urgent_panel(client: Client) -> None:
    response = client.post(tool_url("phq-9"), answers_form("PHQ-9", [3] * 8 + [0]))

    html = text_of(response)
    assert "Signs of severe low mood" in html
    assert 'id="urgent-help"' not in html


def test_a_positive_audit_c_offers_the_full_audit(client: Client) -> None:
    response = client.post(tool_url("audit-c"), answers_form("AUDIT-C", [3, 1, 1]))

    html = text_of(response)
    assert "(positive)" in html
    assert f'<a class="nhsuk-action-link" href="{tool_url("audit")}">' in html
    assert "Take the full AUDIT questionnaire" in html


def test_a_negative_audit_c_does_not_offer_the_full_audit(client: Client) -> None:
    response = client.post(tool_url("audit-c"), answers_form("AUDIT-C", [2, 1, 1]))

    html = text_of(response)
    assert "(negative)" in html
    assert "Take the full AUDIT questionnaire" not in html


def test_nothing_is_stored_when_a_visitor_completes_a_questionnaire(client: Client) -> None:
    sessions_before = Session.objects.count()
    audits_before = AuditEvent.objects.count()

    response = client.post(tool_url("phq-9"), answers_form("PHQ-9", [1] * 9))

    assert SavedResult.objects.count() == 0
    assert Session.objects.count() == sessions_before
    assert AuditEvent.objects.count() == audits_before
    assert "sessionid" not in response.cookies
    html = text_of(response)
    assert "Your answers have not been stored anywhere" in html
    assert "Save this result" not in html


def test_an_unknown_questionnaire_is_not_found(client: Client) -> None:
    assert client.get(tool_url("phq-10")).status_code == 404
    assert client.post(tool_url("phq-10"), {"item_1": "1"}).status_code == 404


def test_a_signed_in_practitioner_is_offered_to_save_with_the_answers_in_the_form_body(
    client_for, practitioner
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(practitioner).post(tool_url("gad-7"), answers_form("GAD-7", [1, 2, 0, 1, 0, 3, 1]))

    html = text_of(response)
    assert f'action="{reverse("selfhelp:save_result")}"' in html
    assert '<input type="hidden" name="measure" value="gad-7">' in html
    assert '<input type="hidden" name="item_6" value="3">' in html
    assert "your Practitioner Health clinician can see them too" in html


@pytest.mark.parametrize("persona", ["handler", "clinician"])
def test_staff_can_use_the_tools_but_are_not_offered_to_save(client_for, request, persona: str) -> None:  # type: ignore[no-untyped-def]
    response = client_for(request.getfixturevalue(persona)).post(tool_url("phq-9"), answers_form("PHQ-9", [0] * 9))

    assert response.status_code == 200
    assert "Save this result" not in text_of(response)
