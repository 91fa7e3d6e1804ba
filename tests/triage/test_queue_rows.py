"""Queue rows say who is waiting, for what, where and for how long, reading only those columns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.models import Eligibility, ReferralNeed, SeenWhere
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_a_queue_row_shows_name_needs_region_and_age(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(
        eligibility=Eligibility.ELIGIBLE,
        name="Dr Ffion Maddox",
        seen_where=SeenWhere.REGION,
        seen_region="north-west",
        submitted_at=timezone.now() - timedelta(days=2, hours=3),
    )
    ReferralNeed.objects.create(referral=referral, need="alcohol")
    ReferralNeed.objects.create(referral=referral, need="low-mood")
    away = ReferralFactory(eligibility=Eligibility.ELIGIBLE, seen_where=SeenWhere.AWAY, work_region="london")
    urgent = ReferralFactory(urgent=True, seen_where=SeenWhere.VIDEO)

    client = client_for(handler)
    for page in (client.get("/helpline/").content.decode(), client.get("/helpline/queues/new/").content.decode()):
        assert f'<a href="/helpline/referral/{referral.pk}/">Dr Ffion Maddox</a>' in page
        assert f"{referral.reference}. Alcohol, Low mood. North West." in page
        assert "2\xa0days, 3\xa0hours" in page
        assert f"{away.reference}. Needs not given. Away from work (London)." in page
    dashboard = client.get("/helpline/").content.decode()
    assert f"{urgent.reference}. Needs not given. Video only." in dashboard


def test_queue_rows_read_only_the_columns_they_show(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    ReferralFactory(eligibility=Eligibility.ELIGIBLE, people_known="Dr A N Other", employer="A Trust")
    client = client_for(handler)
    client.get("/helpline/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/helpline/queues/new/")
    rows = [
        q["sql"] for q in queries.captured_queries if 'FROM "referrals_referral"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert rows, "the queue's rows were read"
    for sql in rows:
        for unshown in ("people_known", "employer", "email", "mobile", "date_of_birth", "registration_number"):
            assert f'"referrals_referral"."{unshown}"' not in sql
