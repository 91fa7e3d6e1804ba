import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_accessible_and_shows_crisis_numbers(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confidential help for doctors and dentists")
    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("116 123")
    expect(footer).to_contain_text("SHOUT to 85258")
    expect(page.get_by_role("link", name="Exit this page")).to_be_visible()
    assert_accessible(page, "platform-home")


def test_login_page_is_accessible_and_shows_errors_in_a_summary(live_server, page: Page) -> None:
    page.goto(live_server.url + "/account/sign-in/")
    assert_accessible(page, "platform-login")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter an email address in the correct format")
    expect(summary).to_contain_text("Enter your password")
    expect(page.get_by_label("Email address")).to_have_value("not-an-email")
    assert_accessible(page, "platform-login-errors")


def test_exit_this_page_leaves_the_site(live_server, page: Page) -> None:
    page.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(status=200, body="<title>Weather</title>"))
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url("https://www.bbc.co.uk/**")
