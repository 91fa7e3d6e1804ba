"""A practitioner stops their referral; the helpline closes one before care."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import AuditEvent
from practitioner_health.notifications.messages import render_message
from practitioner_health.notifications.models import Notification
from referrals.models import ClosedReason, Referral, Status
from referrals.services import ReferralNotClosableError, referral_close
from tests.factories import ReferralFactory
from triage.models import Callback, CallbackReason, CallbackStatus
from triage.services.callbacks import callback_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(practitioner: User, client_for: Callable[[User], Client]) -> Client:
    return client_for(practitioner)


def _callbacks(referral: Referral) -> tuple[Callback, Callback]:
    later = callback_request(
        reason=CallbackReason.HANDLER, referral=referral, due_at=timezone.now() + timedelta(hours=2)
    )
    done = callback_request(reason=CallbackReason.HANDLER, referral=referral, due_at=timezone.now())
    Callback.objects.filter(pk=done.pk).update(status=CallbackStatus.COMPLETED)
    return later, done


def test_a_practitioner_stops_their_referral_and_nobody_calls(me: Client, practitioner: User) -> None:
    referral = ReferralFactory(user=practitioner, status=Status.CONTACTED)
    later, done = _callbacks(referral)

    home = me.get("/refer/my/").content.decode()
    assert 'href="/refer/my/stop-referral/">Stop your referral</a>' in home
    page = me.get("/refer/my/stop-referral/").content.decode()
    assert "we will not call, text or email you about it" in page
    assert "Stop my referral" in page

    response = me.post("/refer/my/stop-referral/")

    assert response.status_code == 302 and response["Location"] == "/refer/my/"
    referral.refresh_from_db()
    assert (referral.status, referral.closed_reason) == (Status.CLOSED, ClosedReason.WITHDRAWN)
    assert referral.closed_at is not None
    later.refresh_from_db()
    done.refresh_from_db()
    assert later.status == CallbackStatus.CANCELLED, "the arranged call back is cancelled"
    assert done.status == CallbackStatus.COMPLETED, "a finished one is left as it was"
    [event] = AuditEvent.objects.filter(
        object_id=str(referral.pk), detail="referral closed: stopped by the practitioner"
    )
    assert event.actor == practitioner and event.subject == practitioner
    home = me.get("/refer/my/").content.decode()
    assert "You have stopped your referral. We will not contact you about it." in home
    assert "You stopped this referral" in home
    assert "Stop your referral" not in home
    assert '<a href="/refer/">Refer yourself again</a>' in home
    assert not Referral.objects.open().filter(pk=referral.pk).exists(), "they may refer themselves again"
    assert not Notification.objects.filter(template="referral_not_reached").exists(), "they know: no message"


def test_the_helpline_is_warned_not_to_call_someone_who_stopped(
    me: Client, practitioner: User, client_for, handler: User
) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(user=practitioner)
    helpline = client_for(handler)
    assert (
        "They asked us not to contact them" not in helpline.get(f"/helpline/referral/{referral.pk}/").content.decode()
    )
    me.post("/refer/my/stop-referral/")
    # The callback form is not offered on a closed referral: it goes back to the record, which warns.
    for page in (f"/helpline/referral/{referral.pk}/", f"/helpline/referral/{referral.pk}/callback/"):
        text = helpline.get(page, follow=True).content.decode()
        assert "They asked us not to contact them" in text
        assert "They stopped their referral on" in text


def test_an_urgent_referral_stopping_shows_where_to_get_help_now(me: Client, practitioner: User) -> None:
    ReferralFactory(user=practitioner, urgent=True, self_harm_thoughts=True)
    page = me.get("/refer/my/stop-referral/").content.decode()
    assert "Get help now if you are thinking of harming yourself" in page


def test_someone_with_a_clinician_is_told_to_talk_to_them_and_nothing_changes(me: Client, practitioner: User) -> None:
    referral = ReferralFactory(user=practitioner, status=Status.ASSIGNED)
    home = me.get("/refer/my/").content.decode()
    assert "Stop your referral" not in home and "Refer yourself again" not in home
    page = me.get("/refer/my/stop-referral/").content.decode()
    assert "talk to your clinician" in page and "Stop my referral" not in page

    response = me.post("/refer/my/stop-referral/")

    assert response.status_code == 200
    assert "talk to your clinician" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED


def test_a_practitioner_without_a_referral_gets_404(me: Client) -> None:
    assert me.get("/refer/my/stop-referral/").status_code == 404
    assert me.post("/refer/my/stop-referral/").status_code == 404


def test_only_their_own_latest_referral_is_stopped(me: Client, practitioner: User, other_practitioner: User) -> None:
    mine = ReferralFactory(user=practitioner)
    theirs = ReferralFactory(user=other_practitioner)
    me.post("/refer/my/stop-referral/")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Status.CLOSED and theirs.status == Status.NEW


@pytest.mark.parametrize("status", [Status.ASSIGNED, Status.DISCHARGED, Status.CLOSED])
def test_only_a_referral_not_yet_with_a_clinician_can_be_closed(status: Status, handler: User) -> None:
    referral = ReferralFactory(status=status)
    with pytest.raises(ReferralNotClosableError):
        referral_close(referral=referral, reason=ClosedReason.DECLINED, closed_by=handler)
    referral.refresh_from_db()
    assert referral.status == status and referral.closed_reason == ""


def test_not_eligible_is_not_a_reason_a_person_can_be_given(handler: User) -> None:
    referral = ReferralFactory()
    with pytest.raises(ValueError, match="Not a reason"):
        referral_close(referral=referral, reason=ClosedReason.INELIGIBLE, closed_by=handler)


def test_the_helpline_closes_a_referral_it_could_not_reach(client_for, handler: User, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(status=Status.NEW, user=practitioner)
    later, _ = _callbacks(referral)
    client = client_for(handler)
    assert (
        f'href="/helpline/referral/{referral.pk}/close/">Close referral</a>'
        in client.get(f"/helpline/referral/{referral.pk}/").content.decode()
    )
    form = client.get(f"/helpline/referral/{referral.pk}/close/").content.decode()
    assert "The 1 callback still to come is cancelled." in form

    missing = client.post(f"/helpline/referral/{referral.pk}/close/", {})
    assert missing.status_code == 200
    assert "Select why you are closing this referral" in missing.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.NEW

    response = client.post(f"/helpline/referral/{referral.pk}/close/", {"reason": "not_reached"})

    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.closed_reason) == (Status.CLOSED, ClosedReason.NOT_REACHED)
    later.refresh_from_db()
    assert later.status == CallbackStatus.CANCELLED
    # The practitioner reads who did what to their record in words.
    access = client_for(practitioner).get("/refer/my/record-access/").content.decode()
    assert "(referral closed: the helpline could not reach them)" in access
    [message] = Notification.objects.filter(template="referral_not_reached")
    assert message.channel == "email" and message.recipient == referral.email
    text = render_message("email", message.template, json.loads(message.context_json))
    assert referral.reference in text.body and "could not get through" in text.body
    assert text.subject == "We tried to contact you"
    record = client.get(f"/helpline/referral/{referral.pk}/").content.decode()
    assert "the helpline could not reach them" in record
    assert "Close referral</a>" not in record
    assert referral.reference not in client.get("/helpline/").content.decode(), "out of every queue"


def test_the_helpline_cannot_close_a_referral_a_clinician_has(client_for, handler: User) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(status=Status.ASSIGNED)
    client = client_for(handler)
    page = client.post(f"/helpline/referral/{referral.pk}/close/", {"reason": "declined"}).content.decode()
    assert "Their care ends when the clinician discharges them." in page
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED


def test_an_unknown_reason_is_refused_by_name(client_for, handler: User) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    page = client_for(handler).post(f"/helpline/referral/{referral.pk}/close/", {"reason": "ineligible"})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.NEW


def test_referrals_closed_as_not_eligible_before_the_reason_existed_get_it() -> None:
    import importlib

    from django.apps import apps
    from django.db import connection

    from referrals.models import Eligibility

    migration = importlib.import_module("referrals.migrations.0003_referral_closed_reason")
    ineligible = ReferralFactory(status=Status.CLOSED, eligibility=Eligibility.INELIGIBLE, closed_reason="")
    other = ReferralFactory(status=Status.CLOSED, eligibility=Eligibility.ELIGIBLE, closed_reason="")

    with connection.schema_editor() as editor:
        migration.ineligible_reason_fill(apps, editor)

    ineligible.refresh_from_db()
    other.refresh_from_db()
    assert (ineligible.closed_reason, other.closed_reason) == ("ineligible", "")
