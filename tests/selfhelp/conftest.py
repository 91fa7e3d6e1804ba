from __future__ import annotations

import pytest

from selfhelp.models import Article, SignpostingEntry


@pytest.fixture
def no_articles(db: None) -> None:
    """Start from an empty article table (migration 0004 loads the starter set)."""
    Article.objects.all().delete()


@pytest.fixture
def empty_directory(db: None) -> None:
    """Start from an empty directory (migration 0002 seeds it)."""
    SignpostingEntry.objects.all().delete()


def answers_form(code: str, answers: list[int]) -> dict[str, str]:
    """POST data for a questionnaire: item_1, item_2, ... in item order."""
    return {f"item_{number}": str(answer) for number, answer in enumerate(answers, start=1)}
