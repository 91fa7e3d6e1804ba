"""A stopped urgent referral gets one safety call: the page says so before the button, stopping
places exactly one callback in the urgent queue (at once in hours, at opening out of hours), it is
tried once, and nothing else is sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from api.tokens import token_issue
from practitioner_health.accounts.models import User
from practitioner_health.hours import UK
from practitioner_health.notifications.models import Notification
from referrals.models import Referral, Status
from tests.factories import ReferralFactory
from triage.models import Callback, CallbackReason, CallbackStatus
from triage.services.callbacks import callback_place_call, callback_request

pytestmark = pytest.mark.django_db

TUESDAY_10AM = datetime(2026, 12, 8, 10, 0, tzinfo=UK)
FRIDAY_11PM = datetime(2026, 12, 4, 23, 0, tzinfo=UK)


@pytest.fixture
def me(practitioner: User, client_for: Callable[[User], Client]) -> Client:
    return client_for(practitioner)


def at_risk(practitioner: User, **extra: object) -> Referral:
    return ReferralFactory(
        user=practitioner, status=Status.NEW, self_harm_thoughts=True, urgent=True, mobile="+447700900777", **extra
    )


@time_machine.travel(FRIDAY_11PM, tick=False)
def test_before_stopping_the_page_says_the_helpline_will_call_once(
    practitioner: User, client_for: Callable[[User], Client]
) -> None:
    at_risk(practitioner)
    page = client_for(practitioner).get("/refer/my/stop-referral/").content.decode()
    safety = page.index('id="safety-call"')
    assert safety < page.index("Stop my referral")
    assert "our helpline will try once to call you, to check you are safe" in page
    assert "We will try to call you when the helpline opens at 8am on Saturday 5 December" in page
    assert "after that one call, we will not call, text or email you about it" in page


def test_someone_not_at_risk_is_not_told_of_a_call(me: Client, practitioner: User) -> None:
    ReferralFactory(user=practitioner, status=Status.NEW, self_harm_thoughts=False, urgent=False)
    page = me.get("/refer/my/stop-referral/").content.decode()
    assert 'id="safety-call"' not in page and "we will not call, text or email you about it" in page
    me.post("/refer/my/stop-referral/")
    assert not Callback.objects.exists()


@time_machine.travel(TUESDAY_10AM, tick=False)
def test_stopping_creates_exactly_one_urgent_callback_now_and_sends_nothing(
    practitioner: User, client_for: Callable[[User], Client]
) -> None:
    me = client_for(practitioner)
    referral = at_risk(practitioner)
    arranged = callback_request(
        reason=CallbackReason.HANDLER, referral=referral, due_at=timezone.now() + timedelta(hours=3)
    )
    response = me.post("/refer/my/stop-referral/")
    assert response.status_code == 302 and response["Location"] == "/refer/my/"
    arranged.refresh_from_db()
    assert arranged.status == CallbackStatus.CANCELLED
    [safety] = Callback.objects.exclude(pk=arranged.pk)
    assert (safety.reason, safety.status, safety.referral_id) == (
        CallbackReason.URGENT,
        CallbackStatus.SCHEDULED,
        referral.pk,
    )
    assert safety.due_at == TUESDAY_10AM and safety.phone == "+447700900777"
    assert not Notification.objects.exists(), "nothing else is sent"
    home = me.get("/refer/my/").content.decode()
    assert "Our helpline will try once to call you, to check you are safe." in home


@time_machine.travel(FRIDAY_11PM, tick=False)
def test_out_of_hours_the_safety_call_waits_for_the_helpline_to_open(
    practitioner: User, client_for: Callable[[User], Client]
) -> None:
    at_risk(practitioner)
    assert client_for(practitioner).post("/refer/my/stop-referral/")["Location"] == "/refer/my/"
    [safety] = Callback.objects.all()
    assert safety.due_at == datetime(2026, 12, 5, 8, 0, tzinfo=UK)


@time_machine.travel(TUESDAY_10AM)  # in hours, so the call is due at once, whatever the clock says
def test_the_safety_call_is_tried_once(  # type: ignore[no-untyped-def]
    practitioner: User, client_for: Callable[[User], Client], fake_twilio, twilio_post
) -> None:
    at_risk(practitioner)
    assert client_for(practitioner).post("/refer/my/stop-referral/")["Location"] == "/refer/my/"
    [safety] = Callback.objects.all()
    assert callback_place_call(callback_id=safety.pk) == "dialling"
    token = re.search(r"/voice/callback/([^/]+)/connect/", fake_twilio.calls()[-1].form["Url"]).group(1)

    twilio_post(f"/helpline/voice/callback/{token}/result/", {"DialCallStatus": "no-answer"})

    safety.refresh_from_db()
    assert (safety.status, safety.attempts) == (CallbackStatus.FAILED, 1), "not tried again; shown as not reached"
    assert callback_place_call(callback_id=safety.pk) == CallbackStatus.FAILED
    assert len(fake_twilio.calls()) == 1


@time_machine.travel(TUESDAY_10AM, tick=False)
def test_stopping_from_the_app_creates_the_same_one_callback(practitioner: User) -> None:
    at_risk(practitioner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=practitioner).secret}")
    body = client.post("/api/v1/me/referral/stop").json()
    assert body["status"] == "closed" and "try once to call you, to check you are safe" in body["text"]
    assert Callback.objects.filter(reason=CallbackReason.URGENT, status=CallbackStatus.SCHEDULED).count() == 1
    assert not Notification.objects.exists()


def test_the_helpline_sees_why_it_calls_someone_who_stopped(
    me: Client, practitioner: User, handler: User, client_for: Callable[[User], Client]
) -> None:
    referral = at_risk(practitioner)
    me.post("/refer/my/stop-referral/")
    page = client_for(handler).get(f"/helpline/referral/{referral.pk}/").content.decode()
    assert "the helpline makes one call to check they are safe" in page
