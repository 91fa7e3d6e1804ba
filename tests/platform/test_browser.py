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


def test_a_practitioner_manages_their_sign_in_methods(live_server, signed_in_page) -> None:  # type: ignore[no-untyped-def]
    from practitioner_health.accounts.models import Role
    from practitioner_health.accounts.services import backup_codes_generate
    from tests.factories import UserFactory

    practitioner = UserFactory(role=Role.PRACTITIONER, totp=True)
    backup_codes_generate(user=practitioner)
    page: Page = signed_in_page(practitioner)
    page.goto(live_server.url + "/refer/my/")
    page.get_by_role("link", name="Sign-in and security").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in and security")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("10 left.")
    assert_accessible(page, "platform-security")

    page.get_by_role("button", name="Stop using the app").click()
    expect(page.get_by_text("We will email you a code each time you sign in.").first).to_be_visible()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Not set up. We email you a code")
    assert_accessible(page, "platform-security-email-codes")


def test_a_practitioner_signs_out_an_app_from_the_security_page(live_server, signed_in_page) -> None:  # type: ignore[no-untyped-def]
    from api.tokens import token_issue
    from practitioner_health.accounts.models import Role
    from tests.factories import UserFactory

    practitioner = UserFactory(role=Role.PRACTITIONER)
    token_issue(user=practitioner)
    token_issue(user=practitioner)
    page: Page = signed_in_page(practitioner)
    page.goto(live_server.url + "/account/security/")
    expect(page.get_by_role("heading", name="Signed in to the app")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out this app")).to_have_count(2)
    assert_accessible(page, "platform-security-app-sign-ins")

    page.get_by_role("button", name="Sign out this app").first.click()
    expect(page.get_by_text("The app on that device is signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out this app")).to_have_count(1)
