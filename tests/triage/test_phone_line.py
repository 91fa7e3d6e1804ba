"""The Twilio phone line: signatures, opening hours, out-of-hours callbacks, call logs."""

from __future__ import annotations

import datetime
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import ReferralFactory
from triage.models import Callback, CallbackReason, CallbackStatus, CallLog, CallOutcome, Direction

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")
TUESDAY_MIDDAY = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=UK)
TUESDAY_NIGHT = datetime.datetime(2026, 11, 24, 22, 30, tzinfo=UK)
CHRISTMAS_DAY_MIDDAY = datetime.datetime(2026, 12, 25, 12, 0, tzinfo=UK)
SUNDAY_MIDDAY = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=UK)
SATURDAY_AFTERNOON = datetime.datetime(2026, 11, 28, 15, 0, tzinfo=UK)

CALL = {"CallSid": "CA0001", "From": "+447700900555", "To": "+443000303300", "CallStatus": "ringing"}


def parse(response) -> ElementTree.Element:  # type: ignore[no-untyped-def]
    assert response["Content-Type"] == "text/xml"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Response"
    return root


def test_a_request_without_a_signature_is_refused(twilio_post) -> None:  # type: ignore[no-untyped-def]
    assert twilio_post("/helpline/voice/incoming/", CALL, signature="").status_code == 403
    assert not CallLog.objects.exists()


def test_a_request_with_a_wrong_signature_is_refused(twilio_post) -> None:  # type: ignore[no-untyped-def]
    assert twilio_post("/helpline/voice/incoming/", CALL, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403


def test_a_signature_for_other_parameters_is_refused(twilio_post, client) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        settings.PUBLIC_URL + "/helpline/voice/incoming/", CALL
    )
    tampered = {**CALL, "From": "+447700900999"}
    assert client.post("/helpline/voice/incoming/", tampered, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403


@time_machine.travel(TUESDAY_MIDDAY)
def test_in_hours_the_call_is_logged_and_put_through_to_the_handlers(twilio_post, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HELPLINE_FORWARD_NUMBERS = ["+447700900001", "+447700900002"]
    root = parse(twilio_post("/helpline/voice/incoming/", CALL))
    dial = root.find("Dial")
    assert dial is not None
    assert [n.text for n in dial.findall("Number")] == ["+447700900001", "+447700900002"]
    call = CallLog.objects.get(twilio_call_sid="CA0001")
    assert call.direction == Direction.INBOUND
    assert call.caller_number == "+447700900555"
    assert call.referral is None, "an unknown number is an anonymous enquiry"


@time_machine.travel(TUESDAY_MIDDAY)
def test_a_call_from_a_known_mobile_is_matched_to_the_referral(twilio_post) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(mobile="07700 900555")
    from practitioner_health.crypto import phone_index

    referral.mobile_index = phone_index(referral.mobile)
    referral.save()
    twilio_post("/helpline/voice/incoming/", CALL)
    assert CallLog.objects.get(twilio_call_sid="CA0001").referral == referral


@time_machine.travel(TUESDAY_MIDDAY)
def test_twilio_retrying_the_webhook_logs_the_call_once(twilio_post) -> None:  # type: ignore[no-untyped-def]
    twilio_post("/helpline/voice/incoming/", CALL)
    twilio_post("/helpline/voice/incoming/", CALL)
    assert CallLog.objects.filter(twilio_call_sid="CA0001").count() == 1


@pytest.mark.parametrize(
    "moment",
    [TUESDAY_NIGHT, CHRISTMAS_DAY_MIDDAY, SUNDAY_MIDDAY, SATURDAY_AFTERNOON],
    ids=["night", "bank-holiday", "sunday", "saturday-after-2pm"],
)
def test_out_of_hours_the_caller_hears_crisis_numbers_and_a_callback_offer(twilio_post, moment) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(moment):
        root = parse(twilio_post("/helpline/voice/incoming/", CALL))
    assert root.find("Dial") is None
    spoken = " ".join(say.text or "" for say in root.iter("Say"))
    for needed in ("999", "NHS 111", "option 2", "Samaritans", "SHOUT", "press 1"):
        assert needed in spoken
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    assert gather.get("action").endswith("/helpline/voice/out-of-hours/")


def test_pressing_1_out_of_hours_books_a_callback_for_when_the_line_opens(twilio_post) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(TUESDAY_NIGHT):
        twilio_post("/helpline/voice/incoming/", CALL)
        root = parse(twilio_post("/helpline/voice/out-of-hours/", {**CALL, "Digits": "1"}))
    callback = Callback.objects.get()
    assert callback.reason == CallbackReason.OUT_OF_HOURS
    assert callback.phone == "+447700900555"
    assert callback.status == CallbackStatus.SCHEDULED
    assert callback.due_at == datetime.datetime(2026, 11, 25, 8, 0, tzinfo=UK)
    assert "call you back" in " ".join(s.text or "" for s in root.iter("Say"))
    assert CallLog.objects.get().outcome == CallOutcome.CALLBACK_REQUESTED


def test_another_key_out_of_hours_books_nothing(twilio_post) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(TUESDAY_NIGHT):
        parse(twilio_post("/helpline/voice/out-of-hours/", {**CALL, "Digits": "2"}))
    assert not Callback.objects.exists()


def test_call_status_callbacks_update_the_log(twilio_post) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(TUESDAY_MIDDAY):
        twilio_post("/helpline/voice/incoming/", CALL)
        response = twilio_post("/helpline/voice/status/", {**CALL, "CallStatus": "completed", "CallDuration": "184"})
    assert response.status_code == 204
    call = CallLog.objects.get()
    assert call.duration_seconds == 184
    assert call.outcome == CallOutcome.ANSWERED


def test_the_callers_number_is_encrypted_at_rest(twilio_post) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    with time_machine.travel(TUESDAY_MIDDAY):
        twilio_post("/helpline/voice/incoming/", CALL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_number, caller_index FROM triage_calllog")
        number, index = cursor.fetchone()
    assert "7700900555" not in number and "7700900555" not in index


@pytest.mark.parametrize(
    "path", ["/helpline/voice/incoming/", "/helpline/voice/out-of-hours/", "/helpline/voice/status/"]
)
def test_with_no_twilio_token_configured_every_webhook_is_refused(client, settings, path) -> None:  # type: ignore[no-untyped-def]
    from twilio.request_validator import RequestValidator

    settings.TWILIO_AUTH_TOKEN = ""
    params = {**CALL, "Digits": "1"}
    # What anyone can compute when the key is empty: it must not pass for Twilio's signature.
    forged = RequestValidator("").compute_signature(settings.PUBLIC_URL + path, params)
    with time_machine.travel(TUESDAY_NIGHT):
        response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=forged)
    assert response.status_code == 403
    assert not CallLog.objects.exists() and not Callback.objects.exists()


def test_a_replayed_out_of_hours_request_books_one_callback(twilio_post) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(TUESDAY_NIGHT):
        twilio_post("/helpline/voice/incoming/", CALL)
        for _ in range(3):
            root = parse(twilio_post("/helpline/voice/out-of-hours/", {**CALL, "Digits": "1"}))
            assert "call you back" in " ".join(s.text or "" for s in root.iter("Say"))
        # Even after the call has ended and its log moved on, the same CallSid asks once.
        twilio_post("/helpline/voice/status/", {**CALL, "CallStatus": "completed", "CallDuration": "40"})
        twilio_post("/helpline/voice/out-of-hours/", {**CALL, "Digits": "1"})
    assert Callback.objects.count() == 1
    # Another call from the same number is another request.
    with time_machine.travel(TUESDAY_NIGHT):
        twilio_post("/helpline/voice/out-of-hours/", {**CALL, "CallSid": "CA0002", "Digits": "1"})
    assert Callback.objects.count() == 2
