"""The public signposting directory and the selector the referrals app uses."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from selfhelp.models import Nation, SignpostingCategory
from selfhelp.selectors import signposting_entries
from tests.selfhelp.factories import SignpostingEntryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_directory")]

DIRECTORY_URL = reverse("selfhelp:directory")


def test_the_directory_lists_entries_under_their_category_with_urgent_help_first(client: Client) -> None:
    SignpostingEntryFactory(name="Cameron Fund", category=SignpostingCategory.FINANCIAL_AND_PERSONAL)
    SignpostingEntryFactory(
        name="Samaritans", category=SignpostingCategory.CRISIS, phone="116 123", hours="24 hours, every day"
    )
    SignpostingEntryFactory(name="Defence body", category=SignpostingCategory.LEGAL_AND_INDEMNITY, phone="")

    html = Client().get(DIRECTORY_URL).content.decode()

    urgent = html.index('<h2 id="crisis">Urgent help</h2>')
    money = html.index('<h2 id="financial-and-personal">Financial and personal support</h2>')
    legal = html.index('<h2 id="legal-and-indemnity">Legal and indemnity</h2>')
    assert urgent < html.index("Samaritans") < money < html.index("Cameron Fund") < legal < html.index("Defence body")
    assert '<a href="tel:116123">116 123</a>' in html
    assert "24 hours, every day" in html
    assert "Exit this page" in html
    assert "Regulatory and performance issues" not in html  # no entries, no heading


def test_the_directory_shows_website_and_nation_and_leaves_out_inactive_entries(client: Client) -> None:
    SignpostingEntryFactory(
        name="Scottish service",
        category=SignpostingCategory.DEVOLVED_NATIONS,
        nation=Nation.SCOTLAND,
        website="https://www.nhsinform.scot",
        phone="",
    )
    SignpostingEntryFactory(name="Closed charity", active=False)

    html = client.get(DIRECTORY_URL).content.decode()

    assert 'href="https://www.nhsinform.scot" rel="noopener noreferrer"' in html
    assert '<dd class="nhsuk-summary-list__value">Scotland</dd>' in html
    assert "Closed charity" not in html


def test_a_text_only_number_is_a_link_that_starts_the_text(client: Client) -> None:
    SignpostingEntryFactory(name="Shout", category=SignpostingCategory.CRISIS, phone="85258 (text SHOUT)")

    html = client.get(DIRECTORY_URL).content.decode()

    assert '<a href="sms:85258?&amp;body=SHOUT">85258 (text SHOUT)</a>' in html
    assert "tel:85258" not in html


def test_the_directory_query_count_stays_flat(client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    SignpostingEntryFactory.create_batch(60)

    with django_assert_max_num_queries(1):
        response = client.get(DIRECTORY_URL)
    assert response.content.decode().count('<div class="nhsuk-card">') == 60


def test_signposting_entries_filters_by_category_and_nation_for_other_apps() -> None:
    wales = SignpostingEntryFactory(category=SignpostingCategory.DEVOLVED_NATIONS, nation=Nation.WALES)
    SignpostingEntryFactory(category=SignpostingCategory.DEVOLVED_NATIONS, nation=Nation.SCOTLAND)
    money = SignpostingEntryFactory(category=SignpostingCategory.FINANCIAL_AND_PERSONAL)
    SignpostingEntryFactory(category=SignpostingCategory.FINANCIAL_AND_PERSONAL, active=False)

    assert list(signposting_entries(category="devolved-nations", nation="wales")) == [wales]
    assert list(signposting_entries(category="financial-and-personal")) == [money]
    assert signposting_entries().count() == 3
