from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models
from django.urls import reverse
from django.utils import timezone
from encrypted_model_fields.fields import EncryptedTextField

from .questionnaires import MEASURES, Guidance, Item, Measure, Option, band_guidance
from .search import article_search_vector

_DIALLABLE = re.compile(r"\+?[0-9][0-9 ]{1,18}")
# A text line written as "85258 (text SHOUT)": the number and the word to send.
_TEXTABLE = re.compile(r"(?P<number>[0-9]{5,11}) \(text (?P<word>[A-Za-z]+)\)")


class SignpostingCategory(models.TextChoices):
    FINANCIAL_AND_PERSONAL = "financial-and-personal", "Financial and personal support"
    REGULATORY_AND_PERFORMANCE = "regulatory-and-performance", "Regulatory and performance issues"
    LEGAL_AND_INDEMNITY = "legal-and-indemnity", "Legal and indemnity"
    RETURN_TO_PRACTICE = "return-to-practice", "Returning to clinical practice"
    DEVOLVED_NATIONS = "devolved-nations", "Working in Scotland, Wales or Northern Ireland"
    CRISIS = "crisis", "Urgent help"


class Nation(models.TextChoices):
    UK_WIDE = "", "UK-wide or England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


class SignpostingEntryQuerySet(models.QuerySet["SignpostingEntry"]):
    def active(self) -> SignpostingEntryQuerySet:
        return self.filter(active=True)


class SignpostingEntry(models.Model):
    """An organisation we point people to. Edited by service admins; seeded from DOMAIN.md."""

    name = models.CharField(max_length=200)
    category = models.CharField(max_length=40, choices=SignpostingCategory.choices)
    nation = models.CharField(max_length=20, choices=Nation.choices, blank=True, default="")
    description = models.TextField()
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    hours = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = SignpostingEntryQuerySet.as_manager()

    class Meta:
        ordering = ["category", "position", "name"]
        verbose_name_plural = "signposting entries"
        constraints = [
            models.UniqueConstraint(fields=["name", "category"], name="signposting_name_category_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_href(self) -> str:
        """A tel: link when the phone field is just a number ("116 123"); an sms: link with the
        word written for a text line ("85258 (text SHOUT)", in the form crisis.SHOUT_SMS_URI uses)."""
        if self.phone and _DIALLABLE.fullmatch(self.phone):
            return "tel:" + re.sub(r"\s", "", self.phone)
        if self.phone and (text := _TEXTABLE.fullmatch(self.phone)):
            return f"sms:{text['number']}?&body={text['word']}"
        return ""


# --- Articles ----------------------------------------------------------------------------


class ArticleCategory(models.TextChoices):
    WELLBEING = "wellbeing", "Mental health and wellbeing"
    WORK = "work", "Work and training"
    ALCOHOL_AND_DRUGS = "alcohol-and-drugs", "Alcohol and drugs"
    REGULATION_AND_COMPLAINTS = "regulation-and-complaints", "Complaints and investigations"
    RETURNING_TO_WORK = "returning-to-work", "Returning to work"
    SUPPORTING_OTHERS = "supporting-others", "Supporting a colleague"


DEFAULT_AUTHOR = "Practitioner Health clinical team"


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        return self.filter(published=True)

    def review_overdue(self, *, today: date | None = None) -> ArticleQuerySet:
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def refresh_search_vectors(self) -> int:
        """Recompute the full-text vectors (PostgreSQL only). Article.save() does this for one
        article; call it after bulk_create() or update() of titles, summaries, tags or bodies."""
        if connections[self.db].vendor != "postgresql":
            return 0
        return self.update(search_vector=article_search_vector())

    def for_listing(self) -> ArticleQuerySet:
        # Lists show title, summary and dates: leave the body and the search vector behind.
        return self.defer("body", "search_vector")


class Article(models.Model):
    """A self-help article. The body is Markdown, rendered and sanitised on the way out."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, help_text="Part of the page address. Never personal.")
    summary = models.CharField(max_length=400, help_text="One or two sentences, shown in lists and search results.")
    body = models.TextField(help_text="Markdown. Scripts, event handlers and unsafe links are removed when shown.")
    category = models.CharField(max_length=40, choices=ArticleCategory.choices)
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated, for example: sleep, night shifts")
    published = models.BooleanField(default=False)
    author = models.CharField(max_length=200, default=DEFAULT_AUTHOR)
    last_reviewed = models.DateField()
    next_review_due = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Filled from title, summary, tags and body on every save (PostgreSQL only; empty on
    # SQLite, where search falls back to substring matching). See selfhelp.search.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                name="selfhelp_article_review_after_last_review",
                condition=models.Q(next_review_due__gt=models.F("last_reviewed")),
                violation_error_message="The next review must be due after the last review.",
            ),
        ]
        indexes = [
            # Article list by category: published articles of one category, by title.
            models.Index(fields=["published", "category", "title"], name="selfhelp_article_listing_idx"),
            # Admin's overdue-review filter: next_review_due < today.
            models.Index(fields=["next_review_due"], name="selfhelp_article_review_idx"),
        ]
        # The GIN index on search_vector (selfhelp_article_search_gin) is created by
        # migration 0004 on PostgreSQL only: SQLite cannot build it.

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # A second statement, so the database computes the vector from what was just saved.
        type(self).objects.using(self._state.db).filter(pk=self.pk).refresh_search_vectors()

    def get_absolute_url(self) -> str:
        return reverse("selfhelp:article_detail", kwargs={"slug": self.slug})

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    @property
    def review_overdue(self) -> bool:
        return self.next_review_due < timezone.localdate()


# --- Saved questionnaire results ---------------------------------------------------------


class SavedResultQuerySet(models.QuerySet["SavedResult"]):
    def for_user(self, user_id: int) -> SavedResultQuerySet:
        return self.filter(user_id=user_id)


class SavedResult(models.Model):
    """A questionnaire result a practitioner chose to keep; their clinician can see it.

    Anonymous visitors' answers are never stored. The answers are health data, so they
    are encrypted; total, band and the urgent flag stay plain so lists need no decryption.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="selfhelp_results", editable=False
    )
    measure = models.CharField(max_length=20, choices=[(code, code) for code in MEASURES])
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=40)
    urgent = models.BooleanField(default=False)
    # JSON list of item scores in item order, e.g. "[0, 1, 3]".
    answers_json = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = SavedResultQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # saved_results_for(user_id): one practitioner's results, newest first.
            models.Index(fields=["user", "-created_at"], name="selfhelp_result_user_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="selfhelp_savedresult_known_measure",
                condition=models.Q(measure__in=list(MEASURES)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} result #{self.pk}"

    @property
    def answers(self) -> list[int]:
        return [int(value) for value in json.loads(self.answers_json)]

    @answers.setter
    def answers(self, values: list[int]) -> None:
        self.answers_json = json.dumps([int(value) for value in values])

    @property
    def measure_definition(self) -> Measure:
        return MEASURES[self.measure]

    @property
    def guidance(self) -> Guidance:
        return band_guidance(self.measure, self.band)

    def answered_items(self) -> list[tuple[Item, Option]]:
        return answered_items(self.measure_definition, self.answers)


def answered_items(measure: Measure, answers: list[int]) -> list[tuple[Item, Option]]:
    """Each question with the answer given, for showing answers back to people."""
    return [
        (item, next(option for option in item.options if option.value == value))
        for item, value in zip(measure.items, answers, strict=True)
    ]
