"""Twilio Voice webhooks for the helpline phone line and callbacks.

Every request's X-Twilio-Signature is checked against the public URL Twilio called
(403 otherwise), then the request is handled and answered with TwiML.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from practitioner_health.hours import helpline_next_opening, helpline_open

from .models import AttemptOutcome, CallbackReason, CallLog, CallOutcome
from .services import phone as phone_service
from .services.callbacks import attempt_for_token, attempt_record_result, callback_request

View = Callable[..., HttpResponse]

# Spoken to callers out of hours: the crisis numbers from DOMAIN.md, then the callback offer.
OUT_OF_HOURS_MESSAGE = (
    "Thank you for calling. The helpline is closed at the moment. "
    "If you are in immediate danger, hang up and call 999. "
    "For urgent help, call NHS 111 and choose option 2. "
    "You can talk to Samaritans at any time, free, on 1 1 6, 1 2 3. "
    "You can text the word SHOUT to 8 5 2 5 8. "
    "The BMA wellbeing support line is open 24 hours on 0 3 3 0, 1 2 3, 1 2 4 5."
)
CALLBACK_OFFER = "To ask us to call you back on the number you are calling from when we open, press 1."
# Left only when the practitioner said voicemail is safe. Says nothing about what the service is for.
VOICEMAIL_MESSAGE = "Hello, this is the call back you asked for. Please call us back when it suits you. Thank you."


def twiml(response: VoiceResponse) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


def signed_by_twilio(view: View) -> View:
    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.TWILIO_AUTH_TOKEN:
            # No token, no way to tell Twilio from anyone else (a signature made with an empty
            # key would pass): refuse, rather than act on what a stranger posted.
            return HttpResponseForbidden("Webhooks are not configured")
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        url = settings.PUBLIC_URL + request.get_full_path()
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not validator.validate(url, request.POST.dict(), signature):
            return HttpResponseForbidden("Invalid signature")
        return view(request, *args, **kwargs)

    return wrapped


def _absolute(name: str, **kwargs: str) -> str:
    return settings.PUBLIC_URL + reverse(name, kwargs=kwargs or None)


@signed_by_twilio
def voice_incoming(request: HttpRequest) -> HttpResponse:
    call_sid = request.POST.get("CallSid", "")
    if call_sid:
        phone_service.inbound_call_log(call_sid=call_sid, from_number=request.POST.get("From", ""))
    response = VoiceResponse()
    if helpline_open():
        response.say("Thank you for calling. Putting you through now.", language="en-GB")
        dial = Dial(action=_absolute("triage:voice_dial_status"), timeout=30, answer_on_bridge=True)
        for number in settings.HELPLINE_FORWARD_NUMBERS:
            dial.number(number)
        response.append(dial)
        return twiml(response)
    response.say(OUT_OF_HOURS_MESSAGE, language="en-GB")
    gather = Gather(num_digits=1, action=_absolute("triage:voice_out_of_hours"), timeout=8)
    gather.say(CALLBACK_OFFER, language="en-GB")
    response.append(gather)
    response.say("Goodbye.", language="en-GB")
    response.hangup()
    return twiml(response)


@signed_by_twilio
def voice_out_of_hours(request: HttpRequest) -> HttpResponse:
    response = VoiceResponse()
    caller = request.POST.get("From", "")
    if request.POST.get("Digits") == "1" and caller:
        call_sid = request.POST.get("CallSid", "")[:64]
        call = CallLog.objects.filter(twilio_call_sid=call_sid).first() if call_sid else None
        callback_request(
            reason=CallbackReason.OUT_OF_HOURS,
            referral=call.referral if call else None,
            phone=caller,
            due_at=helpline_next_opening(),
            call_sid=call_sid,
        )
        if call is not None:
            CallLog.objects.filter(pk=call.pk).update(outcome=CallOutcome.CALLBACK_REQUESTED)
        response.say("Thank you. We will call you back on this number when we open. Goodbye.", language="en-GB")
    else:
        response.say("Goodbye.", language="en-GB")
    response.hangup()
    return twiml(response)


@signed_by_twilio
def voice_dial_status(request: HttpRequest) -> HttpResponse:
    # After the handlers' phones: if nobody picked up, offer the callback instead of silence.
    response = VoiceResponse()
    if request.POST.get("DialCallStatus") in {"no-answer", "busy", "failed"}:
        gather = Gather(num_digits=1, action=_absolute("triage:voice_out_of_hours"), timeout=8)
        gather.say("Sorry, everyone is busy. " + CALLBACK_OFFER, language="en-GB")
        response.append(gather)
    response.hangup()
    return twiml(response)


@signed_by_twilio
def voice_status(request: HttpRequest) -> HttpResponse:
    phone_service.call_status_update(
        call_sid=request.POST.get("CallSid", ""),
        status=request.POST.get("CallStatus", ""),
        duration=request.POST.get("CallDuration"),
    )
    return HttpResponse(status=204)


@signed_by_twilio
def voice_callback_connect(request: HttpRequest, token: str) -> HttpResponse:
    """A handler answered the helpline line rung for this attempt: connect them to the practitioner."""
    attempt = attempt_for_token(token)
    response = VoiceResponse()
    if attempt is None:
        response.hangup()
        return twiml(response)
    response.say("Callback. Connecting you now.", language="en-GB")
    dial = Dial(action=_absolute("triage:voice_callback_result", token=token), timeout=25)
    # Answering-machine detection on the practitioner's leg; the screen URL decides
    # whether a message may be left before the handler is connected.
    dial.number(
        attempt.callback.phone,
        machine_detection="DetectMessageEnd",
        url=_absolute("triage:voice_callback_screen", token=token),
    )
    response.append(dial)
    return twiml(response)


@signed_by_twilio
def voice_callback_screen(request: HttpRequest, token: str) -> HttpResponse:
    attempt = attempt_for_token(token)
    response = VoiceResponse()
    answered_by = request.POST.get("AnsweredBy", "human")
    if attempt is None:
        response.hangup()
    elif answered_by.startswith("machine") or answered_by == "fax":
        if attempt.callback.voicemail_allowed:
            response.say(VOICEMAIL_MESSAGE, language="en-GB")
            attempt_record_result(token=token, outcome=AttemptOutcome.VOICEMAIL_LEFT)
        else:
            attempt_record_result(token=token, outcome=AttemptOutcome.MACHINE_NO_MESSAGE)
        response.hangup()
    # A person answered: an empty response connects them to the handler.
    return twiml(response)


DIAL_OUTCOMES = {
    "completed": AttemptOutcome.ANSWERED,
    "answered": AttemptOutcome.ANSWERED,
    "no-answer": AttemptOutcome.NO_ANSWER,
    "busy": AttemptOutcome.NO_ANSWER,
    "failed": AttemptOutcome.FAILED,
    "canceled": AttemptOutcome.NO_ANSWER,
}


@signed_by_twilio
def voice_callback_result(request: HttpRequest, token: str) -> HttpResponse:
    outcome = DIAL_OUTCOMES.get(request.POST.get("DialCallStatus", ""), AttemptOutcome.FAILED)
    attempt_record_result(token=token, outcome=outcome)
    response = VoiceResponse()
    if outcome != AttemptOutcome.ANSWERED:
        response.say("No answer. The callback will be tried again if attempts remain.", language="en-GB")
    response.hangup()
    return twiml(response)


@signed_by_twilio
def voice_callback_status(request: HttpRequest, token: str) -> HttpResponse:
    # The handler's leg ended. If it never got as far as dialling the practitioner, no
    # handler answered: record that so the callback is retried.
    if request.POST.get("CallStatus") in {"no-answer", "busy", "failed", "canceled"}:
        attempt_record_result(token=token, outcome=AttemptOutcome.HANDLER_UNAVAILABLE)
    return HttpResponse(status=204)
