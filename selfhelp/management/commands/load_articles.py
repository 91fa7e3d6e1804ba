from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from selfhelp.content.loader import ARTICLES_DIR, ArticleSourceError, article_sources
from selfhelp.services import articles_load


class Command(BaseCommand):
    help = (
        "Create or update self-help articles from Markdown files with front matter, matched by slug. "
        "Content is overwritten from the files; an article an admin has unpublished stays unpublished."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=ARTICLES_DIR,
            help=f"Folder of *.md files (default: {ARTICLES_DIR})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"]
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder")
        try:
            sources = article_sources(directory)
            if not sources:
                raise CommandError(f"No *.md files in {directory}")
            loaded = articles_load(sources=sources)
        except ArticleSourceError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        self.stdout.write(
            self.style.SUCCESS(f"Articles created: {len(loaded.created)}, updated: {len(loaded.updated)}")
        )
        for slug in loaded.created:
            self.stdout.write(f"  created {slug}")
