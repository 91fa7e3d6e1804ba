"""The self-referral in headless Chromium: home page to confirmation, axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from practitioner_health.notifications.models import Notification
from referrals.models import Referral
from tests.support.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def test_a_doctor_refers_themselves_from_the_home_page_on_accessible_pages(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Refer yourself").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer yourself")
    assert_accessible(page, "referrals-01-start")
    page.get_by_role("button", name="Start now").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you referring yourself?")
    assert_accessible(page, "referrals-02-self")
    _continue(page)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select yes if you are referring yourself")
    assert_accessible(page, "referrals-02-self-error")
    page.get_by_label("Yes").check()
    _continue(page)

    assert_accessible(page, "referrals-03-profession")
    page.get_by_label("Doctor").check()
    _continue(page)

    assert_accessible(page, "referrals-04-registration")
    page.get_by_label("What is your GMC reference number?").fill("12345")
    _continue(page)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("must be 7 digits")
    expect(page.get_by_label("What is your GMC reference number?")).to_have_value("12345")
    assert_accessible(page, "referrals-04-registration-error")
    page.get_by_label("What is your GMC reference number?").fill("729 4613")
    _continue(page)

    assert_accessible(page, "referrals-05-work-location")
    page.get_by_label("In England", exact=True).check()
    _continue(page)

    assert_accessible(page, "referrals-06-role")
    page.get_by_label("Consultant").check()
    _continue(page)

    assert_accessible(page, "referrals-07-workplace")
    page.get_by_label("North West").check()
    page.get_by_label("Employer, trust or practice name (optional)").fill("Mersey Hospitals NHS Trust")
    _continue(page)

    page.get_by_label("In London").check()
    assert_accessible(page, "referrals-08-seen-where")
    _continue(page)

    page.get_by_label("Stress or burnout").check()
    page.get_by_label("Something else", exact=True).check()
    page.get_by_label("If you chose something else, tell us what").fill("Sleeping after night shifts")
    assert_accessible(page, "referrals-09-needs")
    _continue(page)

    assert_accessible(page, "referrals-10-safety")
    page.get_by_label("Yes").check()
    _continue(page)

    # Straight after a "yes", the urgent-help information, and the form carries on.
    panel = page.locator("#urgent-help")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("116 123")
    assert_accessible(page, "referrals-11-name-with-urgent-help")
    page.get_by_label("Full name").fill("Dr Morwenna Tregothnan")
    page.get_by_label("Preferred name or pseudonym (optional)").fill("Wenna")
    _continue(page)

    assert_accessible(page, "referrals-12-date-of-birth")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1979")
    _continue(page)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Date of birth must be a real date")
    assert_accessible(page, "referrals-12-date-of-birth-error")
    page.get_by_label("Day").fill("14")
    _continue(page)

    assert_accessible(page, "referrals-13-contact")
    page.get_by_label("Email address").fill("wenna.t@example.org")
    page.get_by_label("Mobile phone number").fill("07700 900417")
    _continue(page)

    page.get_by_role("group", name="Can we leave you a voicemail?").get_by_label("No").check()
    page.get_by_role("group", name="Can we send you text messages?").get_by_label("Yes").check()
    page.get_by_label("When is the best time to call you? (optional)").fill("Weekday evenings")
    assert_accessible(page, "referrals-14-contact-preferences")
    _continue(page)

    assert_accessible(page, "referrals-15-people-known")
    page.get_by_label("Is there anyone you would not want involved in your care?").fill("Dr Harold Pengelly")
    _continue(page)

    assert_accessible(page, "referrals-16-heard-about")
    page.get_by_label("A colleague").check()
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("7294613")
    assert_accessible(page, "referrals-17-check-your-answers")
    # Change an answer and come straight back.
    page.get_by_role("link", name="Change region you work in").click()
    page.get_by_label("London").check()
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("London")

    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    reference = page.locator(".nhsuk-panel__body strong").inner_text()
    assert re.fullmatch(r"PH-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", reference)
    expect(page.locator("#urgent-help")).to_be_visible()
    assert_accessible(page, "referrals-18-confirmation")
    assert "PH-" not in page.url

    referral = Referral.objects.get()
    assert referral.reference == reference
    assert referral.urgent and referral.work_region == "london"
    assert Notification.objects.filter(template="referral_received", channel="email").exists()


def test_a_colleague_is_told_how_to_help_instead(live_server, page: Page) -> None:
    page.goto(live_server.url + "/refer/self/")
    page.get_by_label("No", exact=True).check()
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("We can only accept self-referrals")
    expect(page.locator("main")).to_contain_text("If you are worried about a colleague")
    assert_accessible(page, "referrals-branch-not-self")


def test_a_doctor_in_wales_is_shown_the_welsh_service(live_server, page: Page, signposting) -> None:
    page.goto(live_server.url + "/refer/self/")
    page.get_by_label("Yes").check()
    _continue(page)
    page.get_by_label("Dentist").check()
    _continue(page)
    page.get_by_label("What is your GDC registration number?").fill("81234")
    _continue(page)
    page.get_by_label("In Wales").check()
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Doctors and dentists in Wales have their own service")
    expect(page.locator("main")).to_contain_text("Practitioner health service for Wales")
    assert_accessible(page, "referrals-branch-devolved-wales")


def test_the_practitioners_own_pages_are_accessible(live_server, signed_in_page, practitioner) -> None:  # type: ignore[no-untyped-def]
    from practitioner_health.audit.models import Action, AuditEvent
    from tests.factories import ReferralFactory, UserFactory

    referral = ReferralFactory(user=practitioner, best_times="After 6pm", people_known="Dr Harold Pengelly")
    handler = UserFactory(role="handler", full_name="Sam Helpline")
    AuditEvent.objects.create(
        actor=handler,
        actor_role="handler",
        subject=practitioner,
        action=Action.VIEW,
        object_type="referrals.referral",
        object_id=str(referral.pk),
        detail="helpline record",
    )
    page = signed_in_page(practitioner)
    page.goto(live_server.url + "/refer/my/")
    expect(page.get_by_role("heading", level=2, name="We have received your referral")).to_be_visible()
    assert_accessible(page, "referrals-my-home")

    page.get_by_role("link", name="Change voicemail").click()
    page.get_by_role("group", name="How would you like us to contact you first?").get_by_label("A text message").check()
    page.get_by_role("group", name="Can we send you text messages?").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save contact preferences").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("or choose another way to contact you")
    assert_accessible(page, "referrals-my-contact-error")
    page.get_by_role("group", name="Can we send you text messages?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save contact preferences").click()
    expect(page.locator("main")).to_contain_text("Your contact preferences have been saved.")

    page.get_by_role("link", name="People you would not want involved in your care").click()
    assert_accessible(page, "referrals-my-people")
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Who has looked at your record").click()
    expect(page.locator("table")).to_contain_text("Sam Helpline, helpline handler")
    assert_accessible(page, "referrals-my-access")

    page.goto(live_server.url + "/refer/my/")
    page.get_by_role("link", name="Stop your referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop your referral")
    assert_accessible(page, "referrals-my-stop")
    page.get_by_role("button", name="Stop my referral").click()
    expect(page.locator("main")).to_contain_text("You have stopped your referral. We will not contact you about it.")
    expect(page.get_by_role("heading", level=2, name="You stopped this referral")).to_be_visible()
    assert_accessible(page, "referrals-my-home-stopped")


def test_the_handler_phone_referral_pages_are_accessible(live_server, signed_in_page, handler) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(handler)
    page.goto(live_server.url + "/refer/phone/")
    assert_accessible(page, "referrals-phone-start")
    page.get_by_role("button", name="Start a new phone referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Is the caller referring themselves?")
    assert_accessible(page, "referrals-phone-self")
    page.get_by_label("Yes").check()
    _continue(page)
    page.get_by_label("Dentist").check()
    _continue(page)
    page.get_by_label("What is your GDC registration number?").fill("81234")
    _continue(page)
    page.get_by_label("I am returning to practice in England").check()
    _continue(page)
    page.get_by_label("General dental practitioner").check()
    _continue(page)
    expect(page.get_by_role("group", name="Which NHS England region will you work in?")).to_be_visible()
    assert_accessible(page, "referrals-phone-workplace-returner")
