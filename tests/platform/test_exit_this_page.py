""" "Exit this page" on every page a person might not want seen: public pages, sign-in, the
security-code step and practitioners' own pages; it stays on screen while a phone scrolls, and
leaving replaces the page in the history so Back does not return to it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from practitioner_health.accounts.models import User
from tests.support.browser import assert_accessible

EXIT = "data-exit-this-page"


def has_exit(client: Client, path: str) -> bool:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return EXIT in response.content.decode()


@pytest.mark.django_db
def test_sign_in_and_the_security_code_step_have_it(client: Client, practitioner: User) -> None:
    assert has_exit(client, "/account/sign-in/")
    assert has_exit(client, "/account/password/reset/")
    response = client.post(
        "/account/sign-in/", {"username": practitioner.email, "password": "correct-horse-battery-staple"}
    )
    assert response["Location"] == "/account/sign-in/code/"
    assert has_exit(client, "/account/sign-in/code/")


@pytest.mark.django_db
def test_a_practitioners_own_pages_have_it(practitioner: User, client_for: Callable[[User], Client]) -> None:
    me = client_for(practitioner)
    for path in ("/refer/my/", "/account/security/"):
        assert has_exit(me, path), path


@pytest.mark.django_db
def test_staff_pages_do_not(handler: User, client_for: Callable[[User], Client]) -> None:
    assert not has_exit(client_for(handler), "/helpline/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_it_stays_in_view_and_back_does_not_return(live_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    page.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(status=200, body="<title>Weather</title>"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/account/sign-in/")
    page.mouse.wheel(0, 5000)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    button = page.get_by_role("link", name="Exit this page")
    box = button.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 844, "still on screen after scrolling"
    assert_accessible(page, "exit-this-page-scrolled-390")

    button.click()
    page.wait_for_url("https://www.bbc.co.uk/**")
    page.go_back()
    assert "/account/sign-in/" not in page.url, "the exited page was replaced in the history"
    expect(page).to_have_url(live_server.url + "/")
