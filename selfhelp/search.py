"""Article search: PostgreSQL full-text search with ranking, or a substring fallback on SQLite.

On PostgreSQL each article keeps a weighted `tsvector` in `Article.search_vector`, refreshed
by `Article.save()` (or `Article.objects.refresh_search_vectors()` after bulk writes) and
indexed by GIN (selfhelp_article_search_gin, migration 0004), so a
search is one indexed query ranked by `ts_rank`. The embedded mode runs on SQLite, which has
no full-text types: there every word of the query must appear somewhere in the article.

Imports no models, so `models.py` can use `article_search_vector()` in `save()`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression

if TYPE_CHECKING:
    from .models import Article

__all__ = ["MAX_QUERY_LENGTH", "SEARCH_CONFIG", "article_search_vector", "mentions_crisis", "search_articles"]

SEARCH_CONFIG = "english"
# Long enough for any real question; caps the work a single request can ask for.
MAX_QUERY_LENGTH = 100
MAX_FALLBACK_WORDS = 8


def article_search_vector() -> CombinedExpression:
    """Title counts most, then tags and summary, then the body (weights A, B, C)."""
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("tags", "summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )


def clean_query(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def search_articles(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    """Articles matching `query`, best first. An empty query matches nothing."""
    query = clean_query(query)
    if not query:
        return articles.none()
    if connections[articles.db].vendor == "postgresql":
        return full_text_search(articles, query)
    return substring_search(articles, query)


def full_text_search(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    # "websearch" accepts anything a person types (quotes, "or", a leading minus) without
    # raising a syntax error, unlike a raw tsquery.
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        articles.filter(search_vector=search_query)
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .order_by("-rank", "title")
    )


def substring_search(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    """Every word must appear in the title, summary, tags or body; title matches first."""
    words = query.split()[:MAX_FALLBACK_WORDS]
    for word in words:
        articles = articles.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(tags__icontains=word) | Q(body__icontains=word)
        )
    title_hits = Q()
    for word in words:
        title_hits |= Q(title__icontains=word)
    return articles.annotate(
        rank=Case(When(title_hits, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-rank", "title")


# -- words of suicide or self-harm ------------------------------------------------------------------
# A search for these shows the urgent-help panel above any results. Matched on the query with
# case, apostrophes and punctuation removed, so "Self-harm", "selfharm" and "don't" all match;
# the common misspellings of suicide (sucide, suiside, suicde, suisidal) share one pattern.
_CRISIS_PATTERNS = (
    r"\bsu[iy]?[cs]+[iy]?d",  # suicide, suicidal, sucide, suiside, suicde, suisidal
    r"\bover ?dos",  # overdose, overdosing, over dose
    r"\bself ?harm",  # self harm, self-harm, selfharm, self harming
    r"\b(?:harm|hurt|cut|kill|kil|hang|poison)(?:s|ing|ed)? ?my ?self",
    r"\b(?:want|wanted|wanting|wanna|going) (?:to )?die\b",
    r"\bend(?:ing)? (?:my|it) (?:life|all)\b",
    r"\btake my (?:own )?life\b",
    r"\bbetter off dead\b",
    r"\bwish i (?:was|were) dead\b",
    r"\bdont want to (?:live|be alive|be here|wake up)\b",
    r"\bno reason to live\b",
)
_CRISIS = re.compile("|".join(_CRISIS_PATTERNS))


def mentions_crisis(query: str) -> bool:
    """Whether a search speaks of suicide or self-harm."""
    text = re.sub(r"['\u2019`]", "", query.lower())
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    return bool(_CRISIS.search(text))
