"""A handler takes a referral ("being worked by"), releases it, and sees "My referrals"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practitioner_health.accounts.models import Role
from practitioner_health.audit.models import AuditEvent
from referrals.models import ClosedReason, Eligibility, Status
from tests.factories import ReferralFactory, UserFactory
from triage.models import ReferralOwnership

pytestmark = pytest.mark.django_db


def test_a_handler_takes_a_referral_and_everyone_sees_who_is_working_it(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    handler.full_name = "Sam Okafor"
    handler.save(update_fields=["full_name"])
    referral = ReferralFactory(eligibility=Eligibility.ELIGIBLE)
    client = client_for(handler)

    response = client.post(f"/helpline/referral/{referral.pk}/take/", follow=True)

    record = response.content.decode()
    assert "Being worked by Sam Okafor" in record
    assert f'action="/helpline/referral/{referral.pk}/release/"' in record
    assert AuditEvent.objects.filter(
        actor=handler, object_id=str(referral.pk), detail="referral taken by a handler"
    ).exists()
    colleague = client_for(UserFactory(role=Role.HANDLER, full_name="Alex Byrne"))
    assert "Being worked by Sam Okafor" in colleague.get("/helpline/").content.decode()
    assert "Being worked by Sam Okafor" in colleague.get(f"/helpline/referral/{referral.pk}/").content.decode()
    mine = client.get("/helpline/mine/").content.decode()
    assert referral.reference in mine
    assert referral.reference not in colleague.get("/helpline/mine/").content.decode()


def test_only_the_handler_working_a_referral_releases_it(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    client_for(handler).post(f"/helpline/referral/{referral.pk}/take/")
    colleague = client_for(UserFactory(role=Role.HANDLER))

    refused = colleague.post(f"/helpline/referral/{referral.pk}/release/", follow=True).content.decode()
    assert "Another handler is working this referral: only they can release it." in refused
    assert ReferralOwnership.objects.filter(referral=referral, handler=handler).exists()

    released = client_for(handler).post(f"/helpline/referral/{referral.pk}/release/", follow=True).content.decode()
    assert "Released. Any handler can take it now." in released
    assert not ReferralOwnership.objects.filter(referral=referral).exists()
    assert referral.reference not in client_for(handler).get("/helpline/mine/").content.decode()


def test_a_colleague_can_take_over_a_referral(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    client_for(handler).post(f"/helpline/referral/{referral.pk}/take/")
    colleague_user = UserFactory(role=Role.HANDLER, full_name="Alex Byrne")
    client_for(colleague_user).post(f"/helpline/referral/{referral.pk}/take/")
    assert ReferralOwnership.objects.get(referral=referral).handler == colleague_user


def test_closing_a_referral_ends_its_ownership_and_a_closed_one_cannot_be_taken(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    client = client_for(handler)
    client.post(f"/helpline/referral/{referral.pk}/take/")
    client.post(f"/helpline/referral/{referral.pk}/close/", {"reason": ClosedReason.DECLINED})
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    assert not ReferralOwnership.objects.filter(referral=referral).exists()
    refused = client.post(f"/helpline/referral/{referral.pk}/take/", follow=True).content.decode()
    assert "This referral is closed: reopen it before taking it." in refused
    assert not ReferralOwnership.objects.exists()


def test_my_referrals_stays_flat_in_queries(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    client = client_for(handler)
    client.get("/helpline/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/helpline/mine/").status_code == 200
        return len(captured.captured_queries)

    for referral in ReferralFactory.create_batch(3):
        client.post(f"/helpline/referral/{referral.pk}/take/")
    few = queries()
    for referral in ReferralFactory.create_batch(30):
        client.post(f"/helpline/referral/{referral.pk}/take/")
    assert queries() == few <= 12
    page = client.get("/helpline/mine/").content.decode()
    assert page.count('<tr class="nhsuk-table__row">') == 34  # 33 rows and the header
