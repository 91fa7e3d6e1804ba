"""A service admin adds a day the line is closed, and every promise of a call follows it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from practitioner_health.accounts.models import User
from practitioner_health.hours import helpline_open
from triage.models import BankHoliday

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")


def test_a_service_admin_adds_a_closure_day_and_the_line_is_out_of_hours_that_day(client_for, admin_user: User) -> None:  # type: ignore[no-untyped-def]
    # A Tuesday in term time, mid-morning: the line is open.
    tuesday = datetime(2027, 3, 16, 10, 30, tzinfo=UK)
    assert helpline_open(tuesday)

    client = client_for(admin_user)
    assert client.get("/admin/triage/bankholiday/").status_code == 200
    response = client.post(
        "/admin/triage/bankholiday/add/", {"date": "2027-03-16", "name": "Service training day"}, follow=True
    )
    assert response.status_code == 200
    assert BankHoliday.objects.filter(date=tuesday.date(), name="Service training day").exists()
    assert not helpline_open(tuesday)


def test_the_same_day_cannot_be_entered_twice(client_for, admin_user: User) -> None:  # type: ignore[no-untyped-def]
    BankHoliday.objects.get_or_create(date=datetime(2027, 3, 17).date(), defaults={"name": "Closed"})
    response = client_for(admin_user).post(
        "/admin/triage/bankholiday/add/", {"date": "2027-03-17", "name": "Closed again"}
    )
    assert response.status_code == 200
    assert "Bank holiday with this Date already exists." in response.content.decode()


def test_helpline_staff_cannot_change_bank_holidays(client_for, handler: User) -> None:  # type: ignore[no-untyped-def]
    response = client_for(handler).get("/admin/triage/bankholiday/")
    assert response.status_code in (302, 403, 404)
