"""The Friends and Family Test in headless Chromium: a practitioner answers from the link on
their appointments page, and a service admin reads the comments; axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clinicians.models import FeedbackOffer, FeedbackResponse, FeedbackStage
from tests.support.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_practitioner_answers_the_test_and_the_admin_reads_the_comment_redacted(
    live_server, signed_in_page, practitioner, admin_user, episode
) -> None:  # type: ignore[no-untyped-def]
    FeedbackOffer.objects.create(episode=episode, stage=FeedbackStage.FIRST_APPOINTMENT)
    page: Page = signed_in_page(practitioner)

    page.goto(f"{live_server.url}/clinician/my/appointments/")
    page.get_by_role("link", name="Tell us about your experience: after the first appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how we did")
    assert_accessible(page, "clinicians-feedback-answer")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select how your experience was")
    assert_accessible(page, "clinicians-feedback-answer-error")
    page.get_by_label("Very good", exact=True).check()
    page.get_by_label("What was good, or what could be better?").fill("Dr Okafor listened. Thank you.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible(page, "clinicians-feedback-thanks")
    assert FeedbackResponse.objects.get().rating == "very-good"

    admin = signed_in_page(admin_user)
    admin.goto(f"{live_server.url}/clinician/feedback/comments/")
    expect(admin.locator(".nhsuk-card__description")).to_have_text("[name removed] [name removed] listened. Thank you.")
    assert_accessible(admin, "clinicians-feedback-comments")
