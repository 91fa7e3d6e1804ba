"""Crisis words meet crisis help: a self-help search that speaks of suicide or self-harm shows
the urgent-help panel, every number a link to call, above any results."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from selfhelp.search import mentions_crisis

SEARCH_URL = reverse("selfhelp:search")

CRISIS_SEARCHES = [
    "I want to die",
    "kill myself",
    "suicide",
    "Suicidal thoughts",
    "overdose",
    "self harm",
    "self-harm",
    "Self Harming",
    "end my life",
    "sucide",
    "suiside",
    "suicde",
    "I don't want to live any more",
    "I don\u2019t want to be here",
    "better off dead",
]
ORDINARY_SEARCHES = ["sleep", "success at work", "sued by a patient", "end of life care", "myself", "cutting back"]


@pytest.mark.parametrize("query", CRISIS_SEARCHES)
def test_words_of_suicide_or_self_harm_are_recognised(query: str) -> None:
    assert mentions_crisis(query)


@pytest.mark.parametrize("query", ORDINARY_SEARCHES)
def test_ordinary_searches_are_not(query: str) -> None:
    assert not mentions_crisis(query)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["I want to die", "sucide", "self-harm", "overdose"])
def test_the_urgent_help_panel_comes_before_any_result(client: Client, query: str) -> None:
    html = client.get(SEARCH_URL, {"q": query}).content.decode()
    panel = html.index('id="urgent-help"')
    assert panel < html.index('role="status"'), "above the results (or the no-results message)"
    assert '<a class="ph-call-link" href="tel:116123">116 123</a>' in html[panel:]
    assert 'href="tel:999"' in html[panel:] and 'href="sms:85258?&amp;body=SHOUT"' in html[panel:]


@pytest.mark.django_db
def test_an_ordinary_search_has_no_panel(client: Client) -> None:
    html = client.get(SEARCH_URL, {"q": "sleep"}).content.decode()
    assert 'id="urgent-help"' not in html
