from __future__ import annotations

from django.db import models


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
