"""factory_boy factories for self-help articles, saved results and directory entries."""

from __future__ import annotations

import datetime

import factory

from practitioner_health.accounts.models import Role
from selfhelp.models import Article, ArticleCategory, SavedResult, SignpostingCategory, SignpostingEntry
from selfhelp.questionnaires import score
from tests.factories import UserFactory


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Looking after yourself, part {n}")
    slug = factory.Sequence(lambda n: f"looking-after-yourself-{n}")
    summary = "Practical ideas for a hard stretch at work."
    body = "## What helps\n\nTime away from work, people you trust and enough sleep.\n"
    category = ArticleCategory.WELLBEING
    tags = "rest, support"
    published = True
    last_reviewed = datetime.date(2026, 10, 1)
    next_review_due = datetime.date(2027, 10, 1)


class SavedResultFactory(factory.django.DjangoModelFactory):
    """A saved PHQ-9 by default; pass `answers` for another score or `measure` for another measure."""

    class Meta:
        model = SavedResult
        exclude = ("result",)

    class Params:
        answers_given = (1, 1, 2, 1, 0, 1, 1, 0, 0)

    user = factory.SubFactory(UserFactory, role=Role.PRACTITIONER)
    measure = "PHQ-9"
    result = factory.LazyAttribute(lambda o: score(o.measure, list(o.answers_given)))
    total = factory.LazyAttribute(lambda o: o.result.total)
    band = factory.LazyAttribute(lambda o: o.result.band)
    urgent = factory.LazyAttribute(lambda o: o.result.urgent)
    answers_json = factory.LazyAttribute(lambda o: "[" + ", ".join(str(a) for a in o.answers_given) + "]")


class SignpostingEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignpostingEntry

    name = factory.Sequence(lambda n: f"Support organisation {n}")
    category = SignpostingCategory.FINANCIAL_AND_PERSONAL
    description = "Confidential advice and grants for doctors and their families."
    phone = "0300 000 0000"
    website = "https://example.org"
    hours = "Monday to Friday, 9am to 5pm"
