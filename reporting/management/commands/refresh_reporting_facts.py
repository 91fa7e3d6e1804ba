"""Rebuild the commissioner dashboard's monthly facts.

manage.py refresh_reporting_facts                 # this month and last month
manage.py refresh_reporting_facts --month 2025-04
manage.py refresh_reporting_facts --all           # every month since the first referral
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.periods import current_month
from reporting.services import facts_refresh_all, facts_refresh_months, facts_refresh_recent


def _month(value: str) -> date:
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        raise CommandError(f"--month must look like 2025-04, not {value!r}") from None


class Command(BaseCommand):
    help = "Rebuild the reporting facts for this month and last month, one month, or every month."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--month", help="One month, as YYYY-MM")
        which.add_argument("--all", action="store_true", help="Every month from the first referral to now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["month"]:
            month = _month(options["month"])
            if month > current_month():
                raise CommandError(f"{month:%B %Y} has not started yet")
            months = facts_refresh_months(months=[month])
        elif options["all"]:
            months = facts_refresh_all()
        else:
            months = facts_refresh_recent()
        for month in months:
            self.stdout.write(f"Refreshed {month:%B %Y}")
