"""Article search: PostgreSQL full-text search with ranking, and the substring fallback for SQLite."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from selfhelp.models import Article
from selfhelp.search import substring_search
from selfhelp.selectors import article_search
from tests.selfhelp.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_articles")]

SEARCH_URL = reverse("selfhelp:search")

FILLER = "Clinical work is demanding and it helps to plan time away from the rota. "


def titles_on(response) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r'class="nhsuk-card__link" href="[^"]+">([^<]+)</a>', response.content.decode())


@pytest.fixture
def rumination_articles() -> tuple[Article, Article]:
    # Same length, same fields: only how often the body uses the word differs.
    once = ArticleFactory(
        title="Coping after a difficult shift",
        summary="Ideas for switching off.",
        tags="shifts",
        body=FILLER * 3 + "Some people notice rumination late at night. " + FILLER * 3,
    )
    often = ArticleFactory(
        title="When your mind will not switch off",
        summary="Ideas for quieter evenings.",
        tags="evenings",
        body=(
            "Rumination is going over the same worry again and again. Rumination feels like problem "
            "solving but is not. Noticing rumination early helps, and naming rumination as rumination "
            "takes away some of its power. " + FILLER * 2
        ),
    )
    ArticleFactory(title="Unrelated article", body=FILLER * 4)
    return once, often


def test_the_test_database_is_postgresql() -> None:
    # Full-text search and its ranking are PostgreSQL features; make test provides one.
    assert connection.vendor == "postgresql"


def test_search_finds_an_article_by_a_word_in_its_body_ranked_above_a_single_mention(
    client: Client, rumination_articles: tuple[Article, Article]
) -> None:
    once, often = rumination_articles

    response = client.get(SEARCH_URL, {"q": "rumination"})

    assert titles_on(response) == [often.title, once.title]
    assert "2 articles found for <strong>rumination</strong>" in response.content.decode()


def test_search_matches_other_forms_of_the_word(rumination_articles: tuple[Article, Article]) -> None:
    once, often = rumination_articles

    # English stemming: "ruminating" and "rumination" share a stem.
    assert list(article_search("ruminating")) == [often, once]


def test_a_title_match_outranks_a_body_match() -> None:
    in_body = ArticleFactory(title="Looking after yourself", body="Many trainees find exams stressful. " * 3)
    in_title = ArticleFactory(title="Exams and assessments", body="Plan revision around your rota.")

    assert list(article_search("exams")) == [in_title, in_body]


def test_search_never_shows_unpublished_articles(client: Client) -> None:
    ArticleFactory(title="Draft about rumination", body="rumination", published=False)

    response = client.get(SEARCH_URL, {"q": "rumination"})

    assert titles_on(response) == []
    assert "No articles found for <strong>rumination</strong>" in response.content.decode()


def test_the_search_vector_follows_edits() -> None:
    article = ArticleFactory(body="Nothing to see.")
    assert list(article_search("gambling")) == []

    article.body = "Support with gambling problems."
    article.save()

    assert list(article_search("gambling")) == [article]


def test_bulk_created_articles_become_searchable_after_a_refresh() -> None:
    Article.objects.bulk_create([ArticleFactory.build(body="Advice on gambling.") for _ in range(3)])
    assert list(article_search("gambling")) == []

    assert Article.objects.refresh_search_vectors() == 3

    assert len(article_search("gambling")) == 3


@pytest.mark.parametrize("query", ['"unclosed quote', "sleep & | !", "-", "or or or", "x" * 500, "'; DROP TABLE x; --"])
def test_odd_search_input_gets_an_answer_not_an_error(client: Client, query: str) -> None:
    ArticleFactory(title="Sleep", body="sleep")

    response = client.get(SEARCH_URL, {"q": query})

    assert response.status_code == 200


def test_an_empty_search_asks_for_a_word(client: Client) -> None:
    response = client.get(SEARCH_URL, {"q": "   "})

    assert response.status_code == 200
    assert "Enter a word or phrase to search for" in response.content.decode()


def test_search_results_are_paginated_keeping_the_query(client: Client) -> None:
    for number in range(12):
        ArticleFactory(title=f"Sleep article {number:02d}", body="sleep " * (number + 1))

    first = client.get(SEARCH_URL, {"q": "sleep"})
    second = client.get(SEARCH_URL, {"q": "sleep", "page": "2"})

    assert len(titles_on(first)) == 10
    assert len(titles_on(second)) == 2
    assert 'href="?q=sleep&amp;page=2"' in first.content.decode()


def test_search_query_count_stays_flat(client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for number in range(30):
        ArticleFactory(title=f"Sleep article {number:02d}", body="sleep")

    with django_assert_max_num_queries(2):
        response = client.get(SEARCH_URL, {"q": "sleep"})
    assert len(titles_on(response)) == 10


def test_the_substring_fallback_needs_every_word_and_puts_title_matches_first() -> None:
    # What SQLite (the embedded mode) uses; plain filters, so it runs on PostgreSQL too.
    body_only = ArticleFactory(title="After a complaint", body="Talk to your defence organisation early.")
    in_title = ArticleFactory(title="Defence organisations", body="They give early advice.")
    ArticleFactory(title="Unrelated", body="Nothing about it here.")

    found = list(substring_search(Article.objects.published(), "defence EARLY"))

    assert found == [in_title, body_only]
    assert list(substring_search(Article.objects.published(), "defence gambling")) == []
