"""Service admins edit articles (with a preview and overdue reviews) and the directory."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from selfhelp.models import Article, SignpostingEntry
from tests.selfhelp.factories import ArticleFactory, SignpostingEntryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_articles")]

CHANGELIST = reverse("admin:selfhelp_article_changelist")


@time_machine.travel(datetime.datetime(2027, 1, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_admins_see_the_articles_overdue_for_review(client_for, admin_user) -> None:  # type: ignore[no-untyped-def]
    ArticleFactory(
        title="Overdue piece", last_reviewed=datetime.date(2025, 1, 1), next_review_due=datetime.date(2027, 1, 9)
    )
    ArticleFactory(
        title="Due today piece", last_reviewed=datetime.date(2026, 1, 1), next_review_due=datetime.date(2027, 1, 10)
    )
    ArticleFactory(
        title="Current piece", last_reviewed=datetime.date(2026, 6, 1), next_review_due=datetime.date(2027, 6, 1)
    )
    client = client_for(admin_user)

    everything = client.get(CHANGELIST).content.decode()
    overdue = client.get(CHANGELIST, {"review": "overdue"}).content.decode()

    assert "1 article is overdue for review." in everything
    assert "Overdue piece" in overdue
    assert "Due today piece" not in overdue
    assert "Current piece" not in overdue


def test_the_change_page_previews_the_sanitised_body(client_for, admin_user) -> None:  # type: ignore[no-untyped-def]
    article = ArticleFactory(body="## Heading\n\n<script>alert(1)</script>Visible text.\n")

    html = client_for(admin_user).get(reverse("admin:selfhelp_article_change", args=[article.pk])).content.decode()

    assert '<div class="ph-article-preview"><h2>Heading</h2>' in html
    assert "<script>alert(1)</script>" not in html
    assert reverse("admin:selfhelp_article_preview", args=[article.pk]) in html


def test_the_full_page_preview_shows_an_unpublished_article_to_admins_only(
    client_for, admin_user, clinician, client
) -> None:  # type: ignore[no-untyped-def]
    draft = ArticleFactory(title="Draft about gambling", published=False)
    url = reverse("admin:selfhelp_article_preview", args=[draft.pk])

    response = client_for(admin_user).get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Draft about gambling</h1>" in html
    assert "It is not published, so only service administrators can see it." in html
    assert "Draft about gambling" not in client_for(clinician).get(url).content.decode()
    assert client.get(url).status_code == 302


def test_an_admin_can_add_an_article_and_it_is_searchable(client_for, admin_user) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).post(
        reverse("admin:selfhelp_article_add"),
        {
            "title": "Gambling and gaming",
            "slug": "gambling-and-gaming",
            "summary": "When betting stops being fun.",
            "category": "alcohol-and-drugs",
            "tags": "gambling",
            "author": "Practitioner Health clinical team",
            "published": "on",
            "body": "Help with **gambling** is available.",
            "last_reviewed": "2026-11-01",
            "next_review_due": "2027-11-01",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="gambling-and-gaming")
    assert article.published
    from selfhelp.selectors import article_search

    assert list(article_search("betting")) == [article]


def test_an_admin_cannot_save_a_review_date_before_the_last_review(client_for, admin_user) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).post(
        reverse("admin:selfhelp_article_add"),
        {
            "title": "Backwards",
            "slug": "backwards",
            "summary": "s",
            "category": "wellbeing",
            "author": "x",
            "body": "b",
            "last_reviewed": "2026-11-01",
            "next_review_due": "2026-10-01",
        },
    )

    assert response.status_code == 200
    assert "The next review must be due after the last review." in response.content.decode()
    assert not Article.objects.filter(slug="backwards").exists()


def test_an_admin_can_edit_a_directory_entry(client_for, admin_user) -> None:  # type: ignore[no-untyped-def]
    entry = SignpostingEntryFactory(name="Old name")

    response = client_for(admin_user).post(
        reverse("admin:selfhelp_signpostingentry_change", args=[entry.pk]),
        {
            "name": "New name",
            "category": entry.category,
            "nation": "",
            "description": entry.description,
            "phone": "0300 123 4567",
            "website": "https://example.org",
            "hours": "Weekdays",
            "active": "on",
            "position": "3",
        },
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.name, entry.phone, entry.position) == ("New name", "0300 123 4567", 3)
    assert SignpostingEntry.objects.filter(name="Old name").count() == 0


def test_saved_results_are_not_in_the_admin(client_for, admin_user) -> None:  # type: ignore[no-untyped-def]
    html = client_for(admin_user).get(reverse("admin:index")).content.decode()

    assert "Articles" in html
    assert "Signposting entries" in html
    assert "Saved result" not in html
