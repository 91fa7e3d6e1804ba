"""The starter articles and the load_articles command that upserts them by slug."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from selfhelp.content.loader import ARTICLES_DIR, ArticleSourceError, article_sources, parse_article
from selfhelp.models import Article, ArticleCategory
from selfhelp.selectors import article_search

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_articles")]

GOOD = """\
---
title: A test article
slug: a-test-article
summary: A short summary.
category: wellbeing
tags: one, two
last_reviewed: 2026-01-05
next_review_due: 2027-01-05
---

Body text about resilience.
"""


def load(directory: Path = ARTICLES_DIR) -> str:
    out = StringIO()
    call_command("load_articles", "--dir", str(directory), stdout=out)
    return out.getvalue()


def test_the_starter_set_has_at_least_ten_valid_articles_in_known_categories() -> None:
    sources = article_sources()

    assert len(sources) >= 10
    assert {source.category for source in sources} <= set(ArticleCategory.values)
    assert all(source.next_review_due > source.last_reviewed for source in sources)


def test_load_articles_creates_the_starter_set_published_and_searchable() -> None:
    output = load()

    count = len(article_sources())
    assert f"Articles created: {count}, updated: 0" in output
    assert Article.objects.published().count() == count
    burnout = Article.objects.get(slug="burnout")
    assert burnout.title == "Burnout, and what helps"
    assert burnout.category == ArticleCategory.WELLBEING
    assert burnout.tag_list == ["burnout", "exhaustion", "workload", "compassion fatigue"]
    assert burnout.next_review_due == datetime.date(2027, 10, 1)
    assert burnout.author == "Practitioner Health clinical team"
    assert burnout in article_search("compassion fatigue")


def test_loading_again_updates_by_slug_and_keeps_an_admins_unpublishing(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(GOOD)
    load(tmp_path)
    Article.objects.filter(slug="a-test-article").update(published=False)
    (tmp_path / "a.md").write_text(GOOD.replace("A test article", "A renamed article"))

    output = load(tmp_path)

    assert "Articles created: 0, updated: 1" in output
    article = Article.objects.get(slug="a-test-article")
    assert article.title == "A renamed article"
    assert article.published is False
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("category: wellbeing", "category: astrology"), "category"),
        (("next_review_due: 2027-01-05", "next_review_due: 2025-01-05"), "next review must be due after"),
        (("last_reviewed: 2026-01-05", "last_reviewed: 5 January"), "must be a date like 2026-10-01"),
        (("slug: a-test-article\n", ""), "missing slug"),
        (("---\n\nBody", "\nBody"), "no closing '---'"),
    ],
)
def test_a_bad_file_loads_nothing_and_says_what_is_wrong(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    (tmp_path / "a-good.md").write_text(GOOD.replace("a-test-article", "fine-article"))
    (tmp_path / "b-bad.md").write_text(GOOD.replace(*change))

    with pytest.raises(CommandError, match=message):
        load(tmp_path)
    assert Article.objects.count() == 0


def test_two_files_with_the_same_slug_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(GOOD)
    (tmp_path / "b.md").write_text(GOOD)

    with pytest.raises(ArticleSourceError, match="more than one file uses the slug a-test-article"):
        article_sources(tmp_path)


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"No \*\.md files"):
        load(tmp_path)


def test_front_matter_parsing_keeps_colons_in_values_and_the_markdown_body() -> None:
    source = parse_article(GOOD.replace("A short summary.", "Stress: what helps."), name="x.md")

    assert source.summary == "Stress: what helps."
    assert source.body == "Body text about resilience.\n"
    assert source.tags == "one, two"
