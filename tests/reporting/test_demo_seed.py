"""The demo seed counts the last year, so the demo dashboard has figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from demo import seed_reporting
from practitioner_health.accounts.models import Role, User
from reporting.models import FactsRefresh
from tests.factories import ReferralFactory

from .factories import at
from .helpers import page_tables

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]


def test_the_demo_seed_counts_the_last_twelve_months_and_can_run_again(
    commissioner: User, client_for: Callable[[User], Client]
) -> None:
    ReferralFactory(submitted_at=at(2025, 3, 4))
    ReferralFactory(submitted_at=at(2025, 8, 1))

    months = seed_reporting.seed({Role.COMMISSIONER: commissioner})
    seed_reporting.seed({Role.COMMISSIONER: commissioner})

    assert (months[0], months[-1], len(months)) == (date(2024, 9, 1), date(2025, 8, 1), 12)
    assert FactsRefresh.objects.count() == 12
    html = client_for(commissioner).get("/reporting/", {"period": "custom", "start": "2025-03", "end": "2025-08"})
    tables = page_tables(html.content.decode())
    assert tables["Referrals received and their eligibility"]["Referrals received"] == ["2", "100.0%"]
    assert "Some months have not been counted yet" not in html.content.decode()
