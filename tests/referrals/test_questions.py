"""Each question page: its errors, what it keeps, where it leads (including the pages that end the journey)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils.html import escape

from referrals.flow import STEP_INDEX, STEPS, WEB, Journey
from referrals.forms import LayoutForm
from tests.referrals.conftest import VALID_ANSWERS, answers, fill_in, put_answers, send

pytestmark = pytest.mark.django_db


def at(client: Client, slug: str, data: dict[str, dict[str, Any]] | None = None) -> None:
    """Put the client on page `slug`: every earlier page answered (from `data`, else the valid answers)."""
    source = data or VALID_ANSWERS
    put_answers(client, {s.slug: source[s.slug] for s in STEPS[: STEP_INDEX[slug]]})


def errors_in_summary(html: str) -> list[str]:
    summary = re.search(r'<div class="nhsuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary on the page"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary.group(0), re.S)]


VALIDATION_CASES = [
    ("self", {}, ["Select yes if you are referring yourself"]),
    ("self", {"is_self": "maybe"}, ["Select yes if you are referring yourself"]),
    ("profession", {}, ["Select if you are a doctor, a dentist or a student"]),
    ("profession", {"profession": "nurse"}, ["Select if you are a doctor, a dentist or a student"]),
    ("registration", {"number": ""}, ["Enter your GMC reference number"]),
    ("registration", {"number": "123456"}, ["Your GMC reference number must be 7 digits"]),
    ("registration", {"number": "12345678"}, ["Your GMC reference number must be 7 digits"]),
    ("registration", {"number": "GMC 123456"}, ["Your GMC reference number must only include numbers 0 to 9"]),
    ("work-location", {}, ["Select where you work"]),
    ("work-location", {"work_location": "mars"}, ["Select where you work"]),
    ("role", {}, ["Select your role"]),
    ("role", {"career_stage": "general-dental"}, ["Select your role"]),  # a dental role, for a doctor
    ("role", {"career_stage": "other", "career_stage_other": "  "}, ["Tell us your role"]),
    ("role", {"career_stage": "other", "career_stage_other": "x" * 201}, ["Your role must be 200 characters or fewer"]),
    ("workplace", {"employer": "St Elsewhere"}, ["Select the region you work in"]),
    ("workplace", {"work_region": "wessex"}, ["Select the region you work in"]),
    ("workplace", {"work_region": "london", "employer": "x" * 201}, ["Employer name must be 200 characters or fewer"]),
    ("seen-where", {}, ["Select where you would like to be seen"]),
    ("seen-where", {"seen_where": "region"}, ["Select where you would like to be seen"]),
    ("needs", {}, ["Select what you would like help with"]),
    ("needs", {"needs": ["stress", "boredom"]}, ["Select what you would like help with"]),
    ("needs", {"needs": ["other"], "needs_other": ""}, ["Tell us what else you would like help with"]),
    (
        "needs",
        {"needs": ["other"], "needs_other": "x" * 1001},
        ["What else you would like help with must be 1000 characters or fewer"],
    ),
    ("safety", {}, ["Select yes if you are having thoughts of harming yourself or ending your life"]),
    ("name", {"name": "", "preferred_name": "Wenna"}, ["Enter your full name"]),
    ("name", {"name": "x" * 201}, ["Full name must be 200 characters or fewer"]),
    ("name", {"name": "Ann\x00Smith"}, ["Null characters are not allowed."]),
    ("date-of-birth", {"dob_day": "", "dob_month": "", "dob_year": ""}, ["Enter your date of birth"]),
    ("date-of-birth", {"dob_day": "1", "dob_month": "", "dob_year": "1980"}, ["Date of birth must include a month"]),
    (
        "date-of-birth",
        {"dob_day": "", "dob_month": "", "dob_year": "1980"},
        ["Date of birth must include a day and month"],
    ),
    ("date-of-birth", {"dob_day": "31", "dob_month": "2", "dob_year": "1980"}, ["Date of birth must be a real date"]),
    ("date-of-birth", {"dob_day": "1", "dob_month": "13", "dob_year": "1980"}, ["Date of birth must be a real date"]),
    ("date-of-birth", {"dob_day": "a", "dob_month": "1", "dob_year": "1980"}, ["Date of birth must be a real date"]),
    ("date-of-birth", {"dob_day": "1", "dob_month": "1", "dob_year": "80"}, ["Year must include 4 numbers"]),
    ("date-of-birth", {"dob_day": "1", "dob_month": "1", "dob_year": "1850"}, ["Year must be 1900 or later"]),
    ("date-of-birth", {"dob_day": "1", "dob_month": "1", "dob_year": "2999"}, ["Date of birth must be in the past"]),
    (
        "date-of-birth",
        {"dob_day": "1", "dob_month": "1", "dob_year": "2020"},
        ["You must be 18 or over to use this service"],
    ),
    (
        "contact",
        {"email": "", "mobile": ""},
        ["Enter your email address", "Enter your mobile phone number"],
    ),
    (
        "contact",
        {"email": "not-an-email", "mobile": "07700 900417"},
        ["Enter an email address in the correct format, like name@example.com"],
    ),
    (
        "contact",
        {"email": "a@example.org", "mobile": "020 7946 0000"},
        ["Enter a UK mobile number, like 07700 900 982 or +44 7700 900 982"],
    ),
    (
        "contact",
        {"email": "a@example.org", "mobile": "call me"},
        ["Enter a mobile number, like 07700 900 982 or +44 7700 900 982"],
    ),
    (
        "contact-preferences",
        {"best_times": "mornings"},
        ["Select yes if we can leave you a voicemail", "Select yes if we can send you text messages"],
    ),
    (
        "contact-preferences",
        {"voicemail_ok": "yes", "texts_ok": "no", "best_times": "x" * 501},
        ["Best times to call must be 500 characters or fewer"],
    ),
    ("people-known", {"people_known": "x" * 2001}, ["This must be 2000 characters or fewer"]),
    (
        "heard-about",
        {"heard_about": "carrier pigeon"},
        ["Select how you heard about us, or leave this question unanswered"],
    ),
]


@pytest.mark.parametrize(("slug", "posted", "expected"), VALIDATION_CASES)
def test_each_question_explains_what_is_wrong_and_keeps_the_answer(
    client: Client, slug: str, posted: dict[str, Any], expected: list[str]
) -> None:
    at(client, slug)
    response = client.post(f"/refer/{slug}/", posted)
    assert response.status_code == 200
    html = response.content.decode()
    assert errors_in_summary(html) == expected
    assert "<title>Error: " in html
    for message in expected:
        assert html.count(message) == 2, "once in the summary, once by the field"
    # What was typed is still there (text boxes) or still chosen (radios and checkboxes).
    for name, value in posted.items():
        for one in value if isinstance(value, list) else [value]:
            if one.strip() and "\x00" not in one:
                assert kept(html, name, one), (name, one)


def kept(html: str, name: str, value: str) -> bool:
    """Is `value` still shown in the field called `name`?"""
    shown = escape(value)
    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    if textarea:
        return textarea.group(1).strip("\n") == shown
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    if any('type="radio"' in i or 'type="checkbox"' in i for i in inputs):
        # A choice that is not on the list cannot be shown; one that is must still be ticked.
        return all(" checked" in i for i in inputs if f'value="{shown}"' in i)
    return any(f'value="{shown}"' in i for i in inputs)


def test_the_error_summary_links_to_the_first_choice_of_a_radio_question(client: Client) -> None:
    html = client.post("/refer/self/", {}).content.decode()
    assert '<a href="#id_is_self_0">Select yes if you are referring yourself</a>' in html
    assert 'id="id_is_self_0"' in html


def test_the_error_summary_links_to_the_part_of_the_date_that_is_missing(client: Client) -> None:
    at(client, "date-of-birth")
    html = client.post("/refer/date-of-birth/", {"dob_day": "1", "dob_year": "1980"}).content.decode()
    assert '<a href="#id_dob_month">Date of birth must include a month</a>' in html
    assert 'id="id_dob_month"' in html and "nhsuk-input--error" in html


@pytest.mark.parametrize(
    ("slug", "valid_post", "next_slug"),
    [
        (step.slug, VALID_ANSWERS[step.slug], STEPS[i + 1].slug if i + 1 < len(STEPS) else "check-your-answers")
        for i, step in enumerate(STEPS)
    ],
)
def test_each_valid_answer_moves_on_to_the_next_question(
    client: Client, slug: str, valid_post: dict[str, Any], next_slug: str
) -> None:
    at(client, slug)
    response = client.post(f"/refer/{slug}/", valid_post)
    assert response.status_code == 302
    assert response["Location"] == f"/refer/{next_slug}/"


def test_the_first_question_has_a_back_link_to_the_start_page_and_the_others_to_the_one_before(client: Client) -> None:
    assert '<a class="nhsuk-back-link" href="/refer/">Back</a>' in client.get("/refer/self/").content.decode()
    at(client, "needs")
    html = client.get("/refer/needs/").content.decode()
    assert '<a class="nhsuk-back-link" href="/refer/seen-where/">Back</a>' in html


def test_going_back_shows_the_answer_already_given(client: Client) -> None:
    at(client, "contact")
    html = client.get("/refer/name/").content.decode()
    assert 'value="Dr Morwenna Tregothnan"' in html and 'value="Wenna"' in html
    html = client.get("/refer/needs/").content.decode()
    assert 'value="stress" checked' in html and 'value="alcohol" checked' in html
    assert 'value="anxiety" checked' not in html


def test_a_question_cannot_be_reached_before_the_earlier_ones_are_answered(client: Client) -> None:
    at(client, "profession")
    response = client.get("/refer/contact/")
    assert response.status_code == 302 and response["Location"] == "/refer/profession/"


def test_without_any_answers_a_later_page_says_to_start_again(client: Client) -> None:
    for url in ("/refer/contact/", "/refer/check-your-answers/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Start your referral again" in html and 'href="/refer/"' in html


# -- branches that end the journey ---------------------------------------------------------------


def test_a_no_to_referring_yourself_ends_on_the_self_referrals_only_page(client: Client) -> None:
    response = client.post("/refer/self/", {"is_self": "no"})
    assert response.status_code == 302 and response["Location"] == "/refer/not-self/"
    html = client.get("/refer/not-self/").content.decode()
    assert "We can only accept self-referrals" in html
    assert "If you are worried about a colleague" in html
    assert 'href="/refer/self/"' in html  # back, to change the answer
    # The journey cannot carry on past the refusal.
    later = client.get("/refer/profession/")
    assert later.status_code == 302 and later["Location"] == "/refer/not-self/"


@pytest.mark.parametrize("student", ["medical-student", "dental-student"])
def test_students_are_told_they_are_not_eligible_and_where_to_go(
    client: Client, student: str, signposting: None
) -> None:
    at(client, "profession")
    response = client.post("/refer/profession/", {"profession": student})
    assert response["Location"] == "/refer/students/"
    html = client.get("/refer/students/").content.decode()
    assert "Medical and dental students cannot use this service" in html
    assert "BMA wellbeing support services" in html and "Doctors Support Network" in html
    assert "university" in html


@pytest.mark.parametrize(
    ("nation", "name", "other_names"),
    [
        ("scotland", "Scotland", ["Wales", "Northern Ireland"]),
        ("wales", "Wales", ["Scotland", "Northern Ireland"]),
        ("northern-ireland", "Northern Ireland", ["Scotland", "Wales"]),
    ],
)
def test_each_devolved_nation_is_shown_its_own_service(
    client: Client, nation: str, name: str, other_names: list[str], signposting: None
) -> None:
    at(client, "work-location")
    response = client.post("/refer/work-location/", {"work_location": nation})
    assert response["Location"] == "/refer/devolved/"
    html = client.get("/refer/devolved/").content.decode()
    assert f"Doctors and dentists in {name} have their own service" in html
    assert f"Practitioner health service for {name}" in html
    for other in other_names:
        assert f"Practitioner health service for {other}" not in html
    assert client.get("/refer/role/")["Location"] == "/refer/devolved/"


def test_the_devolved_page_on_its_own_lists_all_three_services(client: Client, signposting: None) -> None:
    html = client.get("/refer/devolved/").content.decode()
    for name in ("Scotland", "Wales", "Northern Ireland"):
        assert f"Practitioner health service for {name}" in html


def test_working_outside_the_uk_ends_with_how_to_use_the_service_when_returning(
    client: Client, signposting: None
) -> None:
    at(client, "work-location")
    assert client.post("/refer/work-location/", {"work_location": "outside-uk"})["Location"] == "/refer/outside-uk/"
    html = client.get("/refer/outside-uk/").content.decode()
    assert "This service is for doctors and dentists working in England" in html
    assert "returning to practice in England" in html
    assert "UK Association of Physician Health" in html


def test_returners_carry_on_and_are_asked_where_they_will_work(client: Client) -> None:
    at(client, "work-location")
    response = client.post("/refer/work-location/", {"work_location": "returning"})
    assert response["Location"] == "/refer/role/"
    client.post("/refer/role/", {"career_stage": "gp"})
    html = client.get("/refer/workplace/").content.decode()
    assert "Which NHS England region will you work in?" in html
    assert "If you do not know yet, choose the region where you live." in html


# -- questions that depend on earlier answers ----------------------------------------------------


def test_dentists_are_asked_for_a_gdc_number_and_a_dental_role(client: Client) -> None:
    data = answers(profession={"profession": "dentist"}, registration={"number": "81234"})
    at(client, "registration", data)
    html = client.get("/refer/registration/").content.decode()
    assert "What is your GDC registration number?" in html and "3 to 6 digits" in html
    assert client.post("/refer/registration/", {"number": "1234567"}).status_code == 200
    assert client.post("/refer/registration/", {"number": "81 234"}).status_code == 302
    client.post("/refer/work-location/", {"work_location": "england"})
    html = client.get("/refer/role/").content.decode()
    assert "General dental practitioner" in html and "Consultant" not in html


def test_doctors_see_medical_roles(client: Client) -> None:
    at(client, "role")
    html = client.get("/refer/role/").content.decode()
    assert "GP trainee" in html and "Foundation doctor" in html and "General dental practitioner" not in html


def test_an_answer_of_yes_to_self_harm_shows_urgent_help_at_once_and_the_form_carries_on(client: Client) -> None:
    at(client, "safety")
    response = client.post("/refer/safety/", {"self_harm": "yes"})
    assert response["Location"] == "/refer/name/"
    html = client.get("/refer/name/").content.decode()
    assert 'id="urgent-help"' in html
    for number in (
        "999",
        "116 123",
        'SHOUT to <a class="ph-call-link" href="sms:85258?&amp;body=SHOUT">85258</a>',
        "0330 123 1245",
        "choose option 2",
    ):
        assert number in html.split('id="urgent-help"')[1].split("</div>\n</div>")[0]
    assert "You can still finish your referral" in html


def test_an_answer_of_no_to_self_harm_shows_no_urgent_panel(client: Client) -> None:
    at(client, "safety")
    client.post("/refer/safety/", {"self_harm": "no"})
    assert 'id="urgent-help"' not in client.get("/refer/name/").content.decode()


# -- check your answers and changing answers -----------------------------------------------------


def test_check_your_answers_lists_every_answer_with_a_change_link(client: Client) -> None:
    put_answers(client, VALID_ANSWERS)
    html = client.get("/refer/check-your-answers/").content.decode()
    for text in (
        "7294613",
        "Consultant",
        "North West",
        "Mersey Hospitals NHS Trust",
        "In London",
        "Stress or burnout<br>Alcohol",
        "Dr Morwenna Tregothnan",
        "14 February 1979",
        "wenna.t@example.org",
        "07700 900417",
        "Weekday evenings",
        "Dr Harold Pengelly",
        "A colleague",
    ):
        assert text in html, text
    for step in STEPS:
        assert f'href="/refer/{step.slug}/?change=1"' in html
    assert html.count(">Change<span") == 20
    assert 'id="urgent-help"' not in html


def test_check_your_answers_repeats_the_urgent_help_after_a_yes(client: Client) -> None:
    put_answers(client, answers(safety={"self_harm": "yes"}))
    assert 'id="urgent-help"' in client.get("/refer/check-your-answers/").content.decode()


def test_changing_an_answer_returns_to_check_your_answers(client: Client) -> None:
    put_answers(client, VALID_ANSWERS)
    html = client.get("/refer/heard-about/?change=1").content.decode()
    assert '<a class="nhsuk-back-link" href="/refer/check-your-answers/">Back</a>' in html
    response = client.post("/refer/workplace/?change=1", {"work_region": "midlands", "employer": ""})
    assert response["Location"] == "/refer/check-your-answers/"
    html = client.get("/refer/check-your-answers/").content.decode()
    assert "Midlands" in html and "Mersey Hospitals" not in html


def test_changing_doctor_to_dentist_asks_again_for_the_number_and_role(client: Client) -> None:
    put_answers(client, VALID_ANSWERS)
    response = client.post("/refer/profession/?change=1", {"profession": "dentist"})
    assert response["Location"] == "/refer/registration/?change=1"
    assert client.get("/refer/check-your-answers/")["Location"] == "/refer/registration/"
    response = client.post("/refer/registration/?change=1", {"number": "81234"})
    assert response["Location"] == "/refer/role/?change=1"
    response = client.post("/refer/role/?change=1", {"career_stage": "general-dental"})
    assert response["Location"] == "/refer/check-your-answers/"
    html = client.get("/refer/check-your-answers/").content.decode()
    assert "GDC registration number" in html and "81234" in html and "General dental practitioner" in html


def test_changing_an_answer_to_one_that_ends_the_journey_goes_to_that_page(client: Client) -> None:
    put_answers(client, VALID_ANSWERS)
    response = client.post("/refer/work-location/?change=1", {"work_location": "wales"})
    assert response["Location"] == "/refer/devolved/"
    assert client.get("/refer/check-your-answers/")["Location"] == "/refer/devolved/"


# -- protection ----------------------------------------------------------------------------------


def test_a_filled_in_honeypot_stops_the_page_with_an_explanation(client: Client) -> None:
    response = client.post("/refer/self/", {"is_self": "yes", "website": "http://spam.example"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "We could not accept this form" in html and "nhsuk-error-summary" in html
    # Nothing was stored, so the next page has no answers to go on.
    assert "Start your referral again" in client.get("/refer/profession/").content.decode()


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client: Client) -> None:
    html = client.get("/refer/self/").content.decode()
    assert re.search(r'<div class="nhsuk-form-group" hidden>\s*<label class="nhsuk-label" for="id_website">', html)


def test_too_many_answers_from_one_address_are_slowed_down(client: Client, settings: Any) -> None:
    settings.REFERRAL_RATE_LIMIT_ANSWERS = 3
    for _ in range(3):
        assert client.post("/refer/self/", {"is_self": "yes"}).status_code == 302
    response = client.post("/refer/self/", {"is_self": "yes"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Please wait before trying again" in html and "0300 030 3300" in html and 'id="urgent-help"' in html
    # Someone else, elsewhere, is not affected.
    assert Client(REMOTE_ADDR="192.0.2.7").post("/refer/self/", {"is_self": "yes"}).status_code == 302


def test_the_limit_counts_the_real_client_behind_the_proxy(client: Client, settings: Any) -> None:
    settings.REFERRAL_RATE_LIMIT_ANSWERS = 2
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    for _ in range(2):
        client.post("/refer/self/", {"is_self": "yes"}, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client.post("/refer/self/", {"is_self": "yes"}, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert client.post("/refer/self/", {"is_self": "yes"}, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302


def test_forms_need_a_csrf_token() -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/refer/self/", {"is_self": "yes"}).status_code == 403
    html = strict.get("/refer/self/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html


def test_no_answer_ever_appears_in_a_url(client: Client) -> None:
    put_answers(client, VALID_ANSWERS)
    html = client.get("/refer/check-your-answers/").content.decode()
    for href in re.findall(r'href="([^"]+)"', html) + re.findall(r'action="([^"]+)"', html):
        for secret in ("7294613", "Tregothnan", "wenna", "07700", "1979"):
            assert secret not in href.lower()


def test_answers_in_the_session_are_encrypted(client: Client) -> None:
    from django.contrib.sessions.models import Session

    put_answers(client, VALID_ANSWERS)
    client.get("/refer/check-your-answers/")
    raw = Session.objects.get(session_key=client.session.session_key).session_data
    decoded = Session.objects.get(session_key=client.session.session_key).get_decoded()
    assert "Tregothnan" not in raw and "Tregothnan" not in repr(decoded)
    assert "7294613" not in repr(decoded) and "wenna.t@example.org" not in repr(decoded)


def test_a_whole_journey_fits_in_a_short_session_row(client: Client) -> None:
    from django.contrib.sessions.models import Session

    fill_in(client, VALID_ANSWERS)
    client.get("/refer/check-your-answers/")  # adds the submission token
    raw = Session.objects.get(session_key=client.session.session_key).session_data
    # PostgreSQL moves a row over about 2 kB out of line: every answer saved would rewrite
    # it in pieces. Uncompressed, this journey's row was over 5,000 characters.
    assert len(raw) < 1800


def test_answers_saved_before_they_were_compressed_are_still_there(client: Client) -> None:
    """A journey in progress at the deploy that added compression carries on where it was."""
    import json

    from encrypted_model_fields.fields import encrypt_str

    session = client.session
    journey = Journey.replay({slug: VALID_ANSWERS[slug] for slug in ("self", "profession")}, WEB)
    data = {"answers": journey.answers, "token": None, "done": {}, "confirmation": None, "checked": journey.checked}
    session[WEB.session_key] = encrypt_str(json.dumps(data)).decode()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    assert 'value="doctor" checked' in client.get("/refer/profession/").content.decode()
    assert client.get("/refer/registration/").status_code == 200  # not sent back to the start


@pytest.mark.parametrize("damage", ["not a token", "compressed wrongly"])
def test_a_damaged_journey_starts_again_rather_than_failing(client: Client, damage: str) -> None:
    from encrypted_model_fields import fields

    session = client.session
    if damage == "not a token":
        session[WEB.session_key] = "z" + "A" * 200
    else:
        session[WEB.session_key] = fields.CRYPTER.encrypt(b"z not zlib").decode()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get("/refer/profession/")
    assert response.status_code == 200 and "start again" in response.content.decode().lower()


# -- what each saved answer was found to mean ---------------------------------------------------


def _journey(client: Client) -> Journey:
    return Journey.load(client.session, WEB)


def _forms_checked_by(client: Client, monkeypatch: pytest.MonkeyPatch, path: str, data: dict[str, Any]) -> list[str]:
    """The question pages whose forms checked an answer while `path` was posted."""
    checked: list[str] = []
    real = LayoutForm.full_clean

    def counting(form: LayoutForm) -> None:
        checked.append(type(form).__name__)
        real(form)

    monkeypatch.setattr(LayoutForm, "full_clean", counting)
    response = client.post(path, data)
    monkeypatch.setattr(LayoutForm, "full_clean", real)
    assert response.status_code == 302, response.content.decode()[:2000]
    return checked


def test_answers_saved_by_the_pages_are_not_checked_again_by_each_later_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_in(client, VALID_ANSWERS)
    checked = _forms_checked_by(client, monkeypatch, "/refer/heard-about/", VALID_ANSWERS["heard-about"])
    # The page's own form, and the date of birth (its meaning is a date, which is not kept).
    assert sorted(checked) == ["DateOfBirthForm", "HeardAboutForm"]


def test_answers_without_a_saved_meaning_are_all_checked_again(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    put_answers(client, VALID_ANSWERS)  # answers only, as a journey saved before meanings were kept
    checked = _forms_checked_by(client, monkeypatch, "/refer/heard-about/", VALID_ANSWERS["heard-about"])
    assert len(checked) == len(STEPS)


def test_a_changed_earlier_answer_makes_every_later_page_check_its_answer_again(client: Client) -> None:
    fill_in(client, VALID_ANSWERS)
    # Change the profession without forgetting the number and role that depended on it (as a
    # form that failed to declare what it invalidates would): the 7-digit GMC number is not a
    # GDC number, so the pages after it must send the dentist back to the number.
    session = client.session
    journey = Journey.load(session, WEB)
    journey.answers["profession"] = {"profession": "dentist"}
    journey.save(session, WEB)
    session.save()
    assert client.get("/refer/needs/")["Location"] == "/refer/registration/"
    assert client.get("/refer/check-your-answers/")["Location"] == "/refer/registration/"


def test_the_journey_replayed_from_answers_is_the_one_the_pages_save(client: Client) -> None:
    fill_in(client, VALID_ANSWERS)
    saved = _journey(client)
    replayed = Journey.replay(VALID_ANSWERS, WEB)
    assert replayed.answers == saved.answers
    assert replayed.checked == saved.checked
    assert set(saved.checked) == set(VALID_ANSWERS) - {"date-of-birth"}


def test_sending_forgets_the_saved_meanings_with_the_answers(client: Client) -> None:
    fill_in(client, VALID_ANSWERS)
    send(client)
    journey = _journey(client)
    assert journey.answers == {} and journey.checked == {}
