"""Article pages: listing by category with pagination, the article page, and query counts."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfhelp.models import Article, ArticleCategory
from tests.selfhelp.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_articles")]

LIST_URL = reverse("selfhelp:article_list")


def titles_on(response) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r'class="nhsuk-card__link" href="[^"]+">([^<]+)</a>', response.content.decode())


def test_the_list_shows_published_articles_only(client: Client) -> None:
    ArticleFactory(title="Sleep after nights")
    ArticleFactory(title="A draft nobody should see", published=False)

    response = client.get(LIST_URL)

    assert titles_on(response) == ["Sleep after nights"]
    assert "Exit this page" in response.content.decode()


def test_the_list_filters_by_category(client: Client) -> None:
    ArticleFactory(title="Sleep after nights", category=ArticleCategory.WELLBEING)
    ArticleFactory(title="Facing a complaint", category=ArticleCategory.REGULATION_AND_COMPLAINTS)

    response = client.get(LIST_URL, {"category": "regulation-and-complaints"})

    assert titles_on(response) == ["Facing a complaint"]
    html = response.content.decode()
    assert "<h1>Complaints and investigations</h1>" in html
    assert '<strong aria-current="page">Complaints and investigations</strong>' in html


def test_an_unknown_category_is_not_found(client: Client) -> None:
    assert client.get(LIST_URL, {"category": "astrology"}).status_code == 404


def test_the_list_is_paginated_ten_to_a_page_keeping_the_category(client: Client) -> None:
    for number in range(23):
        ArticleFactory(title=f"Work article {number:02d}", category=ArticleCategory.WORK)
    ArticleFactory(title="Not work", category=ArticleCategory.WELLBEING)

    first = client.get(LIST_URL, {"category": "work"})
    third = client.get(LIST_URL, {"category": "work", "page": "3"})

    assert titles_on(first) == [f"Work article {n:02d}" for n in range(10)]
    assert titles_on(third) == [f"Work article {n:02d}" for n in range(20, 23)]
    first_html = first.content.decode()
    assert "Showing 1 to 10 of 23 articles." in first_html
    assert 'href="?category=work&amp;page=2" class="nhsuk-pagination__next" rel="next"' in first_html
    assert 'aria-label="Page 1" aria-current="page"' in first_html
    third_html = third.content.decode()
    assert 'href="?category=work&amp;page=2" class="nhsuk-pagination__previous" rel="prev"' in third_html
    assert "nhsuk-pagination__next" not in third_html


def test_a_page_number_out_of_range_or_not_a_number_still_shows_a_page(client: Client) -> None:
    ArticleFactory.create_batch(12)

    assert len(titles_on(client.get(LIST_URL, {"page": "99"}))) == 2
    assert len(titles_on(client.get(LIST_URL, {"page": "abc"}))) == 10


def test_the_article_page_shows_the_body_tags_author_and_review_dates(client: Client) -> None:
    article = ArticleFactory(
        title="Sleep and shift work",
        slug="sleep-and-shift-work",
        summary="Protecting your sleep around nights.",
        body="## Before a run of nights\n\nTry a **short nap** in the afternoon.\n",
        tags="sleep, night shifts",
        author="Dr Sam Writer, consultant psychiatrist",
        last_reviewed=datetime.date(2026, 3, 2),
        next_review_due=datetime.date(2027, 3, 2),
    )

    response = client.get(reverse("selfhelp:article_detail", kwargs={"slug": article.slug}))

    html = response.content.decode()
    assert "<h1>Sleep and shift work</h1>" in html
    assert "<h2>Before a run of nights</h2>" in html
    assert "<strong>short nap</strong>" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--grey nhsuk-u-margin-bottom-2">night shifts</strong>' in html
    assert "Dr Sam Writer, consultant psychiatrist" in html
    assert re.search(r"Page last reviewed</dt>\s*<dd [^>]*>2 March 2026</dd>", html)
    assert re.search(r"Next review due</dt>\s*<dd [^>]*>2 March 2027</dd>", html)
    assert f'href="{reverse("referrals:start")}"' in html


def test_a_hash_heading_in_the_body_does_not_make_a_second_page_title(client: Client) -> None:
    article = ArticleFactory(body="# Not the page title\n\nText.\n")

    html = client.get(article.get_absolute_url()).content.decode()

    assert html.count("<h1") == 1
    assert "<h2>Not the page title</h2>" in html


def test_an_unpublished_or_missing_article_is_not_found(client: Client) -> None:
    draft = ArticleFactory(published=False)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("selfhelp:article_detail", kwargs={"slug": "no-such-article"})).status_code == 404


def test_the_article_page_suggests_others_in_the_same_category(client: Client) -> None:
    article = ArticleFactory(category=ArticleCategory.WORK)
    sibling = ArticleFactory(title="Rota gaps and guilt", category=ArticleCategory.WORK)
    ArticleFactory(title="Unrelated wellbeing piece", category=ArticleCategory.WELLBEING)

    html = client.get(article.get_absolute_url()).content.decode()

    assert f'<a href="{sibling.get_absolute_url()}">Rota gaps and guilt</a>' in html
    assert "Unrelated wellbeing piece" not in html


def test_the_landing_page_lists_tools_categories_and_the_directory(client: Client) -> None:
    ArticleFactory.create_batch(2, category=ArticleCategory.ALCOHOL_AND_DRUGS)

    html = client.get(reverse("selfhelp:index")).content.decode()

    for slug in ("phq-9", "gad-7", "audit-c", "audit"):
        assert f'href="{reverse("selfhelp:tool", kwargs={"slug": slug})}"' in html
    assert f'href="{LIST_URL}?category=alcohol-and-drugs">Alcohol and drugs</a>' in html
    assert "(2 articles)" in html
    assert "Supporting a colleague</a>" not in html  # no articles in that category yet
    assert f'href="{reverse("selfhelp:directory")}"' in html
    assert f'action="{reverse("selfhelp:search")}"' in html


def _queries_for_list(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return len(captured)


def test_article_list_query_count_stays_flat_from_5_to_200_articles(
    client: Client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    ArticleFactory.create_batch(5)
    with_5 = _queries_for_list(client)

    Article.objects.bulk_create(ArticleFactory.build(category=ArticleCategory.choices[n % 6][0]) for n in range(195))
    with_200 = _queries_for_list(client)

    assert with_5 == with_200
    # Category counts, the page count and the page itself.
    with django_assert_max_num_queries(3):
        response = client.get(LIST_URL, {"page": "20"})
    assert len(titles_on(response)) == 10


def test_category_list_and_landing_page_query_counts_stay_flat(client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    Article.objects.bulk_create(ArticleFactory.build(category=ArticleCategory.WORK) for _ in range(200))

    with django_assert_max_num_queries(3):
        client.get(LIST_URL, {"category": "work"})
    with django_assert_max_num_queries(1):
        client.get(reverse("selfhelp:index"))


def test_an_edited_article_shows_its_new_text_at_once(client: Client) -> None:
    """Rendered bodies are kept per worker by their text, so an edit can never show stale HTML."""
    article = ArticleFactory(body="Rest **between** shifts.")
    url = reverse("selfhelp:article_detail", args=[article.slug])
    assert "<strong>between</strong>" in client.get(url).content.decode()

    article.body = "Rest *after* nights."
    article.save()

    page = client.get(url).content.decode()
    assert "<em>after</em>" in page and "between" not in page
