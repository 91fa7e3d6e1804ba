"""The demo data for `make run`."""

from __future__ import annotations

import pytest

from demo.seed_referrals import seed
from practitioner_health.accounts.models import Role, User
from referrals.eligibility import register_entry_find
from referrals.models import Eligibility, Referral, RegisterEntry

pytestmark = pytest.mark.django_db


def test_the_demo_seed_creates_referrals_once(practitioner: User) -> None:
    seed({Role.PRACTITIONER: practitioner})
    seed({Role.PRACTITIONER: practitioner})
    assert Referral.objects.count() == 5
    mine = Referral.objects.get(user=practitioner)
    assert mine.eligibility == Eligibility.ELIGIBLE
    assert Referral.objects.filter(urgent=True).count() == 1
    assert Referral.objects.filter(eligibility=Eligibility.NEEDS_REVIEW).count() == 1
    suspended_dentist = Referral.objects.get(register="GDC")
    assert suspended_dentist.eligibility == Eligibility.ELIGIBLE
    assert all(r.eligibility_decisions.count() == 1 for r in Referral.objects.all())
    closed = Referral.objects.get(reference="PH-DEM2-NORE")
    assert (closed.status, closed.closed_reason) == ("closed", "not_reached") and closed.closed_at is not None
    assert register_entry_find("GMC", "7100001") is not None and register_entry_find("GDC", "81234") is not None
    entries = RegisterEntry.objects.count()
    seed({Role.PRACTITIONER: practitioner})
    assert RegisterEntry.objects.count() == entries


def test_the_seed_works_without_a_demo_practitioner() -> None:
    seed({})
    assert Referral.objects.filter(user__isnull=True).count() == 5
