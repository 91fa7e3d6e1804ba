"""Reads other apps may use, and reads more than one self-help view needs.

Other apps: referrals' ineligible pages use the signposting directory; clinicians show a
patient's saved self-help results on their record (and audit that read themselves).
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import Article, ArticleCategory, SavedResult, SignpostingCategory, SignpostingEntry
from .search import search_articles

# The directory page shows urgent help first, then the other categories as declared.
DIRECTORY_ORDER = [SignpostingCategory.CRISIS] + [c for c in SignpostingCategory if c != SignpostingCategory.CRISIS]


def signposting_entries(*, category: str | None = None, nation: str | None = None) -> QuerySet[SignpostingEntry]:
    entries = SignpostingEntry.objects.active()
    if category is not None:
        entries = entries.filter(category=category)
    if nation is not None:
        entries = entries.filter(nation=nation)
    return entries


def signposting_directory() -> list[tuple[SignpostingCategory, list[SignpostingEntry]]]:
    """Active entries grouped by category, urgent help first; categories with none left out."""
    grouped: dict[str, list[SignpostingEntry]] = {}
    for entry in signposting_entries():
        grouped.setdefault(entry.category, []).append(entry)
    return [(category, grouped[category.value]) for category in DIRECTORY_ORDER if category.value in grouped]


def saved_results_for(user_id: int) -> QuerySet[SavedResult]:
    """A practitioner's saved questionnaire results, newest first.

    Health data: whoever shows these to a person must record the read with audit_record.
    """
    return SavedResult.objects.for_user(user_id).order_by("-created_at", "-id")


def published_articles(*, category: str | None = None) -> QuerySet[Article]:
    articles = Article.objects.published().for_listing()
    if category is not None:
        articles = articles.filter(category=category)
    return articles.order_by("title")


def article_categories_with_counts() -> list[tuple[ArticleCategory, int]]:
    """Each category that has published articles, with how many, in declared order."""
    counts = dict(Article.objects.published().order_by().values_list("category").annotate(count=Count("id")))
    return [(category, counts[category.value]) for category in ArticleCategory if counts.get(category.value)]


def article_search(query: str) -> QuerySet[Article]:
    return search_articles(Article.objects.published().for_listing(), query)
