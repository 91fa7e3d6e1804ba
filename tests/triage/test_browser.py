"""A handler triages a referral, matches, assigns and books, in headless Chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinicians.models import Appointment, CareEpisode
from practitioner_health.accounts.models import Role
from referrals.models import SeenWhere
from tests.clinicians.factories import ClinicianFactory, SlotFactory, region, service
from tests.factories import ReferralFactory, UserFactory
from tests.support.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_handler_triages_matches_assigns_and_books(live_server, signed_in_page, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(urgent=True, self_harm_thoughts=True, seen_where=SeenWhere.REGION, seen_region="london")
    person = ClinicianFactory(user=UserFactory(role=Role.CLINICIAN, full_name="Dr Morgan Reyes"))
    person.regions.set([region("london")])
    person.services.set([service("assessment"), service("cbt")])
    SlotFactory(clinician=person, start=timezone.now() + timedelta(days=2))

    page: Page = signed_in_page(handler)
    page.goto(live_server.url + "/helpline/")
    expect(page.get_by_role("heading", name="Urgent and high risk, not yet seen")).to_be_visible()
    assert_accessible(page, "triage-dashboard")

    page.get_by_role("link", name=referral.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(referral.name)
    assert_accessible(page, "triage-referral")

    page.get_by_role("link", name="Triage").click()
    page.get_by_role("radio", name="Immediate").check()
    page.get_by_role("checkbox", name="Assessment").check()
    page.get_by_role("checkbox", name="CBT").check()
    page.get_by_label("Urgent: seen within 1 working day").check()
    page.get_by_label("One-to-one therapy").check()
    page.get_by_role("button", name="Save triage").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("record the action you took")
    expect(page.locator("#crisis-procedure")).to_be_visible()
    assert_accessible(page, "triage-immediate-risk")

    page.get_by_label("Action taken for immediate risk").fill(
        "Stayed on the line; agreed safety plan; duty clinician told"
    )
    page.get_by_role("button", name="Save triage").click()
    expect(page.get_by_text("Triage saved")).to_be_visible()

    page.get_by_role("link", name="Match a clinician").click()
    expect(page.get_by_text("Dr Morgan Reyes")).to_be_visible()
    expect(page.locator(".nhsuk-radios__hint").first).to_contain_text("earliest open time")
    assert_accessible(page, "triage-match")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("First appointment booked")).to_be_visible()
    assert_accessible(page, "triage-assigned")

    episode = CareEpisode.objects.get(referral=referral)
    assert episode.clinician == person
    assert Appointment.objects.filter(episode=episode).count() == 1
    expect(page.locator("#care + p")).to_contain_text("With Dr Morgan Reyes")
    expect(page.locator("#care + p")).to_contain_text("Next appointment")

    # The clinician now has them, with the helpline's handover on the patient record.
    page = signed_in_page(person.user)
    page.goto(f"{live_server.url}/clinician/patients/{episode.pk}/")
    handover = page.locator("#handover + dl")
    expect(handover).to_contain_text("Immediate")
    expect(handover).to_contain_text("Stayed on the line; agreed safety plan; duty clinician told")
    expect(handover).to_contain_text("Assessment, CBT")
    assert_accessible(page, "clinicians-patient-handover")


def test_a_handler_works_through_a_long_queue_page_by_page(live_server, signed_in_page, handler) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    waiting = [ReferralFactory(submitted_at=now - timedelta(hours=n)) for n in range(75, 0, -1)]

    page: Page = signed_in_page(handler)
    page.goto(live_server.url + "/helpline/")
    queue = page.locator("section", has=page.get_by_role("heading", name="New referrals awaiting first contact"))
    expect(queue.locator("tbody tr")).to_have_count(10)
    queue.get_by_role("link", name="See all 75 (New referrals awaiting first contact)").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("New referrals awaiting first contact")
    expect(page.get_by_text("Showing 1 to 50 of 75.")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(50)
    expect(page.locator("tbody tr").first).to_contain_text(waiting[0].reference)
    assert_accessible(page, "triage-queue")

    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Showing 51 to 75 of 75.")).to_be_visible()
    expect(page.locator("tbody tr").last).to_contain_text(waiting[-1].reference)
    page.get_by_role("link", name=waiting[50].name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(waiting[50].name)

    # Someone the helpline could not reach: the handler closes their referral.
    page.get_by_role("link", name="Close referral").click()
    page.get_by_role("button", name="Close referral").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select why you are closing this referral")
    assert_accessible(page, "triage-close-error")
    page.get_by_role("radio", name="We could not reach them").check()
    page.get_by_role("button", name="Close referral").click()
    expect(page.locator("main")).to_contain_text("Referral closed.")
    expect(page.locator("main")).to_contain_text("the helpline could not reach them")
