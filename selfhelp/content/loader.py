"""Read the starter articles in selfhelp/content/articles/*.md (pure Python, no Django).

Each file starts with a front-matter block of `key: value` lines between `---` lines:

    ---
    title: Burnout, and what helps
    slug: burnout
    summary: One or two sentences.
    category: wellbeing
    tags: burnout, exhaustion
    last_reviewed: 2026-10-01
    next_review_due: 2027-10-01
    ---
    Markdown body...

`tags` and `author` are optional. Used by migration 0004 and the `load_articles` command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = ["ARTICLES_DIR", "ArticleSource", "ArticleSourceError", "article_sources", "parse_article"]

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"

REQUIRED_KEYS = ("title", "slug", "summary", "category", "last_reviewed", "next_review_due")
OPTIONAL_KEYS = ("tags", "author")


class ArticleSourceError(ValueError):
    """A content file that cannot be loaded; the message names the file and the problem."""


@dataclass(frozen=True)
class ArticleSource:
    title: str
    slug: str
    summary: str
    category: str
    tags: str
    last_reviewed: date
    next_review_due: date
    body: str
    author: str | None = None


def parse_article(text: str, *, name: str = "article") -> ArticleSource:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ArticleSourceError(f"{name}: must start with a '---' front-matter line")
    try:
        end = next(index for index, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ArticleSourceError(f"{name}: the front matter has no closing '---' line") from None

    meta: dict[str, str] = {}
    for line in lines[1:end]:
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            raise ArticleSourceError(f"{name}: unexpected front-matter line {line!r}")
        meta[key] = value.strip()
    missing = [key for key in REQUIRED_KEYS if not meta.get(key)]
    if missing:
        raise ArticleSourceError(f"{name}: front matter is missing {', '.join(missing)}")

    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise ArticleSourceError(f"{name}: the article has no body")
    return ArticleSource(
        title=meta["title"],
        slug=meta["slug"],
        summary=meta["summary"],
        category=meta["category"],
        tags=meta.get("tags", ""),
        last_reviewed=_date(meta["last_reviewed"], name=name, key="last_reviewed"),
        next_review_due=_date(meta["next_review_due"], name=name, key="next_review_due"),
        body=body + "\n",
        author=meta.get("author") or None,
    )


def article_sources(directory: Path = ARTICLES_DIR) -> list[ArticleSource]:
    """Every article in `directory`, in file-name order; ArticleSourceError on a bad file."""
    sources = [
        parse_article(path.read_text(encoding="utf-8"), name=path.name) for path in sorted(directory.glob("*.md"))
    ]
    slugs = [source.slug for source in sources]
    duplicated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicated:
        raise ArticleSourceError(f"{directory}: more than one file uses the slug {', '.join(duplicated)}")
    return sources


def _date(value: str, *, name: str, key: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArticleSourceError(f"{name}: {key} must be a date like 2026-10-01, not {value!r}") from None
