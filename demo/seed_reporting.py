"""Demo figures for the commissioner dashboard: count the last 12 months of whatever the
other apps' demo data holds, so the dashboard has figures as soon as `make run` starts.

Call it after the other apps' seeds. Idempotent: counting a month again replaces its facts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reporting.periods import add_months, current_month, months_between
from reporting.services import facts_refresh_months


def seed(users: dict[Any, Any]) -> list[date]:
    """Refresh the reporting facts for this month and the 11 before it; returns those months."""
    this_month = current_month()
    return facts_refresh_months(months=months_between(add_months(this_month, -11), this_month))
