"""The app's article search answers words of suicide or self-harm with the crisis numbers."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["kill myself", "suiside", "end my life"])
def test_a_search_in_crisis_words_carries_the_crisis_numbers(api: APIClient, query: str) -> None:
    body = api.get("/api/v1/articles/search", {"q": query}).json()
    crisis = body["crisis"]
    assert crisis["helpline_href"].startswith("tel:")
    links = {contact["number"]: contact["href"] for contact in crisis["contacts"]}
    assert links["999"] == "tel:999" and links["116 123"] == "tel:116123" and links["111"] == "tel:111"
    assert links["0330 123 1245"] == "tel:03301231245" and links["85258"] == "sms:85258?&body=SHOUT"
    assert "results" in body


def test_an_ordinary_search_has_no_crisis_object(api: APIClient) -> None:
    assert api.get("/api/v1/articles/search", {"q": "night shifts"}).json()["crisis"] is None
