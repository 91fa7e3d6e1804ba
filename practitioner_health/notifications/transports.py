"""Providers behind small transport classes, chosen by settings.

- Email: Django's mail backends (SMTP in production, files in the embedded mode).
- SMS and voice: Twilio's REST client in production; a file transport in the embedded mode.

All Twilio HTTP goes through `ProviderHttpClient`, the one seam tests point at a fake server.
"""

from __future__ import annotations

import json
import smtplib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from ..logfilters import error_kind
from .messages import RenderedMessage
from .models import Channel

# Twilio error codes that will never succeed on retry.
# 21211 invalid 'To' number; 21214 not a reachable number; 21408 region not enabled;
# 21610 recipient replied STOP; 21612 cannot route; 21614 not a mobile number.
PERMANENT_TWILIO_CODES = frozenset({21211, 21214, 21217, 21401, 21408, 21610, 21612, 21614})


class TransientSendError(Exception):
    """Worth retrying later (provider down, timeout, rate limit)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PermanentSendError(Exception):
    """Will never succeed (bad number, unsubscribed): record it and stop."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SendResult:
    provider_id: str = ""


class Transport(Protocol):
    def send(self, recipient: str, message: RenderedMessage) -> SendResult: ...


class EmailTransport:
    def send(self, recipient: str, message: RenderedMessage) -> SendResult:
        email = EmailMessage(subject=message.subject, body=message.body, to=[recipient])
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentSendError("smtp_recipient_refused") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientSendError(error_kind(exc)) from exc
        return SendResult()


class ProviderHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, with the API host swapped when TWILIO_API_BASE is set."""

    def __init__(self, base_url: str = "", **kwargs: Any) -> None:
        super().__init__(timeout=kwargs.pop("timeout", 10), **kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self.base_url:
            base = urlsplit(self.base_url)
            parts = urlsplit(url)
            url = urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


def twilio_client() -> Client:
    return Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=ProviderHttpClient(base_url=settings.TWILIO_API_BASE, timeout=settings.TWILIO_HTTP_TIMEOUT),
    )


def _classify_twilio_error(exc: TwilioRestException) -> Exception:
    if exc.code in PERMANENT_TWILIO_CODES:
        return PermanentSendError(f"twilio_{exc.code}")
    if exc.status and 400 <= exc.status < 500 and exc.status != 429:
        return PermanentSendError(f"twilio_{exc.code or exc.status}")
    return TransientSendError(f"twilio_{exc.code or exc.status}")


class TwilioSmsTransport:
    def __init__(self, client: Client | None = None) -> None:
        self.client = client or twilio_client()

    def send(self, recipient: str, message: RenderedMessage) -> SendResult:
        try:
            sent = self.client.messages.create(to=recipient, from_=settings.TWILIO_FROM_NUMBER, body=message.body)
        except TwilioRestException as exc:
            raise _classify_twilio_error(exc) from exc
        except Exception as exc:
            raise TransientSendError(error_kind(exc)) from exc
        return SendResult(provider_id=sent.sid or "")


class TwilioVoiceTransport:
    """A call that reads the message aloud (used for discreet reminders by phone)."""

    def __init__(self, client: Client | None = None) -> None:
        self.client = client or twilio_client()

    def send(self, recipient: str, message: RenderedMessage) -> SendResult:
        from twilio.twiml.voice_response import VoiceResponse

        twiml = VoiceResponse()
        twiml.say(message.body, language="en-GB")
        try:
            call = self.client.calls.create(to=recipient, from_=settings.TWILIO_FROM_NUMBER, twiml=str(twiml))
        except TwilioRestException as exc:
            raise _classify_twilio_error(exc) from exc
        except Exception as exc:
            raise TransientSendError(error_kind(exc)) from exc
        return SendResult(provider_id=call.sid or "")


class FileTransport:
    """Embedded mode: append each text or call to a file a developer can read."""

    def __init__(self, channel: str, directory: Path | None = None) -> None:
        self.channel = channel
        self.directory = directory or Path(settings.SMS_FILE_PATH)

    def send(self, recipient: str, message: RenderedMessage) -> SendResult:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "to": recipient, "body": message.body})
        with (self.directory / f"{self.channel}.log").open("a") as handle:
            handle.write(line + "\n")
        return SendResult()


def transport_for(channel: str) -> Transport:
    if channel == Channel.EMAIL:
        return EmailTransport()
    if settings.SMS_TRANSPORT == "file":
        return FileTransport(channel)
    if channel == Channel.SMS:
        return TwilioSmsTransport()
    return TwilioVoiceTransport()
