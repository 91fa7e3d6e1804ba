"""Anonymous reads: articles, search, the directory, questionnaires and scoring, crisis help."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from selfhelp.models import Article, SavedResult
from selfhelp.questionnaires import MEASURES
from tests.selfhelp.factories import ArticleFactory, SignpostingEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_articles(db: None) -> None:
    """No seeded articles, so counts and search results are this test's own."""
    Article.objects.all().delete()


def test_articles_list_only_published_ones_paginated_and_by_category(
    api: APIClient,
    no_articles: None,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    ArticleFactory.create_batch(12, category="wellbeing")
    ArticleFactory(title="Hidden draft", published=False)
    ArticleFactory(title="Drinking less", category="alcohol-and-drugs", tags="alcohol")
    with django_assert_max_num_queries(3):
        response = api.get("/api/v1/articles")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 13 and len(body["results"]) == 10 and body["next"]
    assert "Hidden draft" not in str(body)
    assert set(body["results"][0]) >= {"slug", "title", "summary", "category", "tags"}
    only = api.get("/api/v1/articles", {"category": "alcohol-and-drugs"}).json()
    assert [a["title"] for a in only["results"]] == ["Drinking less"]


def test_an_unknown_category_is_422_and_a_page_past_the_end_is_404(api: APIClient) -> None:
    ArticleFactory()
    response = api.get("/api/v1/articles", {"category": "nonsense"})
    assert response.status_code == 422 and "category" in response.json()["fields"]
    assert api.get("/api/v1/articles", {"page": 9}).json()["code"] == "not_found"


def test_search_finds_articles_and_needs_a_query(api: APIClient, no_articles: None) -> None:
    ArticleFactory(title="Sleep after night shifts", tags="sleep")
    ArticleFactory(title="Money worries", tags="debt")
    response = api.get("/api/v1/articles/search", {"q": "night shifts"})
    assert response.status_code == 200
    assert [a["title"] for a in response.json()["results"]] == ["Sleep after night shifts"]
    missing = api.get("/api/v1/articles/search")
    assert missing.status_code == 422 and "q" in missing.json()["fields"]
    assert api.get("/api/v1/articles/search", {"q": "a\x00b"}).status_code == 422


def test_an_article_has_its_body_as_sanitised_html(api: APIClient) -> None:
    ArticleFactory(slug="breathing", body="## Try this\n\n<script>alert(1)</script>Breathe out slowly.")
    response = api.get("/api/v1/articles/breathing")
    assert response.status_code == 200
    body = response.json()
    assert "<h2" in body["body_html"] and "<script>" not in body["body_html"]
    assert api.get("/api/v1/articles/not-there").status_code == 404
    ArticleFactory(slug="draft", published=False)
    assert api.get("/api/v1/articles/draft").json()["code"] == "not_found"


def test_the_directory_groups_active_entries_urgent_help_first(api: APIClient) -> None:
    SignpostingEntryFactory(name="Hidden", active=False)
    response = api.get("/api/v1/directory")
    assert response.status_code == 200
    groups = response.json()
    assert groups[0]["category"] == "crisis"
    names = [entry["name"] for group in groups for entry in group["entries"]]
    assert "Samaritans" in " ".join(names) and "Hidden" not in names


def test_questionnaire_definitions_come_from_the_scoring_library(api: APIClient) -> None:
    listed = api.get("/api/v1/questionnaires").json()
    assert [q["code"] for q in listed] == list(MEASURES)
    phq9 = api.get("/api/v1/questionnaires/phq-9").json()
    assert len(phq9["items"]) == 9 and phq9["items"][0]["options"][3] == {"value": 3, "label": "Nearly every day"}
    assert api.get("/api/v1/questionnaires/nope").status_code == 404


def test_scoring_gives_band_guidance_and_urgent_help_and_stores_nothing(api: APIClient) -> None:
    response = api.post("/api/v1/questionnaires/phq-9/score", {"answers": [2, 2, 2, 1, 1, 1, 1, 1, 1]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["band"], body["urgent"]) == (12, "moderate", True)
    assert body["urgent_guidance"]["next_steps"].startswith("If you are in danger now, call 999")
    assert "no-store" in response["Cache-Control"].split(", ")
    calm = api.post("/api/v1/questionnaires/gad-7/score", {"answers": [0] * 7}, format="json").json()
    assert calm["band"] == "minimal" and calm["urgent_guidance"] is None
    assert not SavedResult.objects.exists()


def test_a_partial_or_invalid_questionnaire_is_422(api: APIClient) -> None:
    partial = api.post("/api/v1/questionnaires/phq-9/score", {"answers": [1, 1]}, format="json")
    assert partial.status_code == 422 and "9 answers" in partial.json()["fields"]["answers"][0]
    wrong = api.post("/api/v1/questionnaires/audit/score", {"answers": [0] * 8 + [1, 0]}, format="json")
    assert wrong.status_code == 422
    not_numbers = api.post("/api/v1/questionnaires/gad-7/score", {"answers": ["a"] * 7}, format="json")
    assert not_numbers.status_code == 422 and "answers.0" in not_numbers.json()["fields"]
    assert api.post("/api/v1/questionnaires/nope/score", {"answers": []}, format="json").status_code == 404


def test_crisis_information_has_every_number(api: APIClient) -> None:
    body = api.get("/api/v1/crisis").json()
    text = " ".join(c["detail"] for c in body["contacts"])
    for number in ("999", "111", "116 123", "85258", "0330 123 1245"):
        assert number in text
    assert body["helpline"]


def test_the_schema_is_openapi_3_and_has_no_staff_endpoints(api: APIClient) -> None:
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "bearerToken" in schema["components"]["securitySchemes"]
    for path in schema["paths"]:
        assert not any(word in path for word in ("helpline", "clinician/", "reporting", "admin"))


def test_a_browser_gets_drfs_browsable_api_with_no_outside_assets(api: APIClient) -> None:
    response = api.get("/api/v1/crisis", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Samaritans" in page
    assert "//cdn" not in page and "https://" not in page.split("<body")[0]
