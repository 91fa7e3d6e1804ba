"""The crisis paths on a phone (390x844) in headless Chromium, axe-core on every page:
an urgent referral out of hours and in hours, a crisis search, and the numbers as call links."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.test import Client
from playwright.sync_api import Page, expect

from practitioner_health.hours import UK
from tests.referrals.conftest import answers, fill_in, send
from tests.support.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CALL_LINKS = {"999": "tel:999", "111": "tel:111", "116 123": "tel:116123", "0330 123 1245": "tel:03301231245"}


def _urgent_confirmation(live_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    """Send an urgent referral (through the real views) and open its confirmation on the phone."""
    client = Client()
    fill_in(client, answers(safety={"self_harm": "yes"}))
    assert send(client).status_code == 302
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/refer/confirmation/")


def _panel_links(page: Page) -> None:
    panel = page.locator("#urgent-help")
    for number, href in CALL_LINKS.items():
        expect(panel.get_by_role("link", name=number, exact=True)).to_have_attribute("href", href)
    expect(panel.get_by_role("link", name="85258")).to_have_attribute("href", "sms:85258?&body=SHOUT")


def test_out_of_hours_the_urgent_confirmation_puts_the_open_numbers_first(live_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2026, 12, 4, 23, 0, tzinfo=UK)):
        _urgent_confirmation(live_server, page)
        expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
        panel = page.locator("#urgent-help")
        expect(panel).to_be_visible()
        expect(panel).to_contain_text("Our helpline is closed now. It opens at 8am on Saturday 5 December.")
        # On a phone the numbers that are open now are on the first screen.
        box = panel.get_by_role("link", name="999").bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"]
        expect(
            page.get_by_text("we will try to call you when the helpline opens at 8am on Saturday 5 December")
        ).to_be_visible()
        assert "today" not in page.locator("main").inner_text().lower()
        _panel_links(page)
        assert_accessible(page, "crisis-01-urgent-confirmation-out-of-hours-390")


def test_in_hours_the_urgent_confirmation_says_today_before_closing(live_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=UK)):
        _urgent_confirmation(live_server, page)
        expect(page.get_by_role("heading", level=2, name="We will try to call you today")).to_be_visible()
        expect(page.locator("main")).to_contain_text(
            "we will try to call you back today (Tuesday 8 December), before the helpline closes at 8pm"
        )
        expect(page.locator("#urgent-help").get_by_role("link", name="0300 030 3300")).to_have_attribute(
            "href", "tel:03000303300"
        )
        assert_accessible(page, "crisis-02-urgent-confirmation-in-hours-390")


def test_a_search_in_crisis_words_shows_urgent_help_first_on_a_phone(live_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/self-help/search/?q=sucide")
    panel = page.locator("#urgent-help")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None and box["y"] < PHONE["height"]
    _panel_links(page)
    assert_accessible(page, "crisis-03-search-390")
