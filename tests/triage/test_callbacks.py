"""Callbacks through the real twilio client to a fake Twilio API on 127.0.0.1."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.notifications.messages import indiscreet_words
from referrals.models import ClosedReason
from referrals.services import referral_close
from tests.factories import ReferralFactory
from tests.support.fake_twilio import ScriptedResponse
from triage.models import AttemptOutcome, Callback, CallbackAttempt, CallbackReason, CallbackStatus
from triage.services.callbacks import callback_place_call, callback_request, callbacks_sweep
from triage.webhooks import VOICEMAIL_MESSAGE

pytestmark = pytest.mark.django_db


def token_from(call_url: str) -> str:
    return re.search(r"/voice/callback/([^/]+)/connect/", call_url).group(1)


@pytest.fixture
def callback(db) -> Callback:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(mobile="+447700900777", voicemail_ok=False)
    return callback_request(reason=CallbackReason.URGENT, referral=referral)


def test_placing_a_callback_rings_the_on_duty_handler_first(callback: Callback, fake_twilio, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HELPLINE_FORWARD_NUMBERS = ["+447700900001"]
    assert callback_place_call(callback_id=callback.pk) == "dialling"
    [call] = fake_twilio.calls()
    assert call.path.endswith("/Calls.json")
    assert call.form["To"] == "+447700900001"
    assert call.form["From"] == "+447700900000"
    assert call.form["Url"].startswith("https://ph.test/helpline/voice/callback/")
    assert "7700900777" not in call.form["Url"], "no number or id in the URL"
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.IN_PROGRESS and callback.attempts == 1


def test_the_connect_twiml_dials_the_practitioner_with_answerphone_detection(
    callback: Callback, fake_twilio, twilio_post
) -> None:  # type: ignore[no-untyped-def]
    callback_place_call(callback_id=callback.pk)
    token = token_from(fake_twilio.calls()[0].form["Url"])
    root = ElementTree.fromstring(twilio_post(f"/helpline/voice/callback/{token}/connect/", {"CallSid": "CA1"}).content)
    number = root.find("Dial/Number")
    assert number.text == "+447700900777"
    assert number.get("machineDetection") == "DetectMessageEnd"
    assert number.get("url").endswith(f"/voice/callback/{token}/screen/")


def test_running_the_task_twice_places_one_call(callback: Callback, fake_twilio) -> None:  # type: ignore[no-untyped-def]
    callback_place_call(callback_id=callback.pk)
    callback_place_call(callback_id=callback.pk)
    assert len(fake_twilio.calls()) == 1
    assert CallbackAttempt.objects.count() == 1


def test_no_answer_is_retried_15_minutes_later_up_to_3_attempts(callback: Callback, fake_twilio, twilio_post) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for attempt in range(1, 4):
            assert callback_place_call(callback_id=callback.pk) == "dialling"
            token = token_from(fake_twilio.calls()[-1].form["Url"])
            twilio_post(f"/helpline/voice/callback/{token}/result/", {"DialCallStatus": "no-answer"})
            callback.refresh_from_db()
            if attempt < 3:
                assert callback.status == CallbackStatus.SCHEDULED
                assert callback.due_at == timezone.now() + timedelta(minutes=15)
                assert callback_place_call(callback_id=callback.pk) == "not-due"
                traveller.shift(timedelta(minutes=15))
    assert callback.status == CallbackStatus.FAILED
    assert len(fake_twilio.calls()) == 3
    assert list(callback.attempt_set.values_list("outcome", flat=True)) == [AttemptOutcome.NO_ANSWER] * 3


def test_an_answered_callback_is_completed_and_not_retried(callback: Callback, fake_twilio, twilio_post) -> None:  # type: ignore[no-untyped-def]
    callback_place_call(callback_id=callback.pk)
    token = token_from(fake_twilio.calls()[0].form["Url"])
    assert twilio_post(f"/helpline/voice/callback/{token}/screen/", {"AnsweredBy": "human"}).content.count(b"<Say") == 0
    twilio_post(f"/helpline/voice/callback/{token}/result/", {"DialCallStatus": "completed"})
    # A late duplicate report does not change the outcome.
    twilio_post(f"/helpline/voice/callback/{token}/result/", {"DialCallStatus": "no-answer"})
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.COMPLETED
    assert callbacks_sweep() == 0


def test_no_voicemail_is_left_unless_the_practitioner_said_it_is_safe(
    callback: Callback, fake_twilio, twilio_post
) -> None:  # type: ignore[no-untyped-def]
    callback_place_call(callback_id=callback.pk)
    token = token_from(fake_twilio.calls()[0].form["Url"])
    root = ElementTree.fromstring(
        twilio_post(f"/helpline/voice/callback/{token}/screen/", {"AnsweredBy": "machine_end_beep"}).content
    )
    assert root.find("Say") is None and root.find("Hangup") is not None
    assert CallbackAttempt.objects.get().outcome == AttemptOutcome.MACHINE_NO_MESSAGE


def test_a_discreet_voicemail_is_left_when_allowed(fake_twilio, twilio_post) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(mobile="+447700900778", voicemail_ok=True)
    callback = callback_request(reason=CallbackReason.PRACTITIONER, referral=referral)
    callback_place_call(callback_id=callback.pk)
    token = token_from(fake_twilio.calls()[0].form["Url"])
    root = ElementTree.fromstring(
        twilio_post(f"/helpline/voice/callback/{token}/screen/", {"AnsweredBy": "machine_end_beep"}).content
    )
    message = root.find("Say").text
    assert message == VOICEMAIL_MESSAGE
    assert not indiscreet_words(message)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.COMPLETED


def test_a_handler_not_answering_counts_as_an_attempt(callback: Callback, fake_twilio, twilio_post) -> None:  # type: ignore[no-untyped-def]
    callback_place_call(callback_id=callback.pk)
    token = token_from(fake_twilio.calls()[0].form["Url"])
    twilio_post(f"/helpline/voice/callback/{token}/status/", {"CallStatus": "no-answer"})
    assert CallbackAttempt.objects.get().outcome == AttemptOutcome.HANDLER_UNAVAILABLE
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED


def test_each_attempt_rings_the_next_helpline_line_in_turn(
    callback: Callback, fake_twilio, twilio_post, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.HELPLINE_FORWARD_NUMBERS = ["+447700900001", "+447700900002"]
    settings.CALLBACK_MAX_ATTEMPTS = 3
    rung = []
    for attempt in range(3):
        Callback.objects.filter(pk=callback.pk).update(due_at=timezone.now())
        assert callback_place_call(callback_id=callback.pk) == "dialling"
        call = fake_twilio.calls()[attempt]
        rung.append(call.form["To"])
        twilio_post(f"/helpline/voice/callback/{token_from(call.form['Url'])}/status/", {"CallStatus": "no-answer"})
    assert rung == ["+447700900001", "+447700900002", "+447700900001"]
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.FAILED  # and so on the helpline's failed-callbacks queue


def test_a_provider_error_is_logged_and_retried(callback: Callback, fake_twilio) -> None:  # type: ignore[no-untyped-def]
    fake_twilio.fail_next(ScriptedResponse(status=500))
    assert callback_place_call(callback_id=callback.pk) == "failed-to-place"
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED
    assert CallbackAttempt.objects.get().outcome == AttemptOutcome.FAILED


def test_an_unknown_token_gets_a_hang_up(twilio_post) -> None:  # type: ignore[no-untyped-def]
    root = ElementTree.fromstring(twilio_post("/helpline/voice/callback/nope/connect/", {}).content)
    assert root.find("Hangup") is not None and root.find("Dial") is None


def test_a_call_ringing_when_the_referral_closes_is_not_tried_again(fake_twilio, twilio_post, handler: User) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(mobile="+447700900777")
    callback = callback_request(reason=CallbackReason.HANDLER, referral=referral)
    assert callback_place_call(callback_id=callback.pk) == "dialling"
    referral_close(referral=referral, reason=ClosedReason.WITHDRAWN, closed_by=handler)
    token = token_from(fake_twilio.calls()[-1].form["Url"])

    twilio_post(f"/helpline/voice/callback/{token}/result/", {"DialCallStatus": "no-answer"})

    callback.refresh_from_db()
    assert callback.status == CallbackStatus.CANCELLED
    assert len(fake_twilio.calls()) == 1
