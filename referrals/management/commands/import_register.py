"""python manage.py import_register FILE --register GMC|GDC [--dry-run]

Loads a GMC (LRMP) or GDC register extract; see docs/register-import.md for the formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from referrals.models import Register
from referrals.register_import import RegisterFormatError, register_import


class Command(BaseCommand):
    help = (
        "Import a GMC (LRMP) or GDC register extract: a full file or a daily delta. Upserts by registration "
        "number; reports created, updated, unchanged and rejected rows (with line numbers)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file (UTF-8; a byte-order mark is fine)")
        parser.add_argument("--register", required=True, choices=[r.value for r in Register], help="GMC or GDC")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, but change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open(encoding="utf-8-sig", newline="") as source:
                report = register_import(register=options["register"], source=source, dry_run=options["dry_run"])
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
        except RegisterFormatError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        # Rejected rows name the line and the problem, never the row's contents (they are personal data).
        for line, reason in report.rejected:
            self.stderr.write(f"line {line}: {reason}")
        prefix = "Dry run, nothing saved: " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{options['register']} register: {report.summary}.")
