"""Writes for the self-help app: loading articles and saving a practitioner's result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from practitioner_health.accounts.models import Role, User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from .content.loader import ArticleSource, ArticleSourceError
from .models import DEFAULT_AUTHOR, Article, SavedResult
from .questionnaires import score

__all__ = ["ArticlesLoaded", "articles_load", "saved_result_create"]


@dataclass
class ArticlesLoaded:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def articles_load(*, sources: Iterable[ArticleSource]) -> ArticlesLoaded:
    """Create or update articles by slug from content files, all or nothing.

    Content fields (title, summary, body, category, tags, author, review dates) are
    overwritten from the files. The published flag is set on new articles only: an article
    an admin has withdrawn stays withdrawn when the files are loaded again. Raises
    ArticleSourceError, naming the slug, if any article fails validation.
    """
    loaded = ArticlesLoaded()
    with transaction.atomic():
        for source in sources:
            article = Article.objects.filter(slug=source.slug).first()
            is_new = article is None
            if article is None:
                article = Article(slug=source.slug, published=True)
            article.title = source.title
            article.summary = source.summary
            article.body = source.body
            article.category = source.category
            article.tags = source.tags
            article.author = source.author or DEFAULT_AUTHOR
            article.last_reviewed = source.last_reviewed
            article.next_review_due = source.next_review_due
            try:
                article.full_clean(validate_unique=False)
            except ValidationError as error:
                problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
                raise ArticleSourceError(f"article {source.slug!r}: {problems}") from None
            article.save()
            (loaded.created if is_new else loaded.updated).append(source.slug)
    return loaded


def saved_result_create(*, user: User, measure_code: str, answers: list[int]) -> SavedResult:
    """Score the answers and keep the result on the practitioner's record, audited.

    Raises ValueError for a partial or invalid set of answers (nothing is saved) and
    PermissionError for anyone but a practitioner saving their own result.
    """
    if user.role != Role.PRACTITIONER:
        raise PermissionError("only practitioners save self-help results")
    result = score(measure_code, answers)
    with transaction.atomic():
        saved = SavedResult(user=user, measure=result.code, total=result.total, band=result.band, urgent=result.urgent)
        saved.answers = answers
        saved.save()
        audit_record(action=Action.CREATE, obj=saved, subject_id=user.pk, detail="self-help questionnaire result")
    return saved
