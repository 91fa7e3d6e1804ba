"""Message templates and the discretion rule every message must pass.

Templates live in templates/notifications/: `<key>.subject.txt` and `<key>.email.txt` for
email, `<key>.sms.txt` for texts, `<key>.voice.txt` for calls. A message is refused at the
moment it is queued if its text names what the service is for, so an indiscreet template
fails in tests rather than on someone's lock screen.

The check reads the service's words (the template and the values the service supplies),
never what a person typed: a surname such as "Drugan" or "Methven" is theirs to have, and
refusing it would lose their referral. Context values under PERSONAL_KEYS are replaced by a
neutral placeholder for the check, and only the message sent carries them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from .models import Channel

# Words that must never appear in a message: it may be read on a shared screen, a lock
# screen or by whoever answers the phone.
FORBIDDEN_WORDS = (
    "mental health",
    "mental",
    "addiction",
    "addicted",
    "alcohol",
    "drug",
    "therapy",
    "therapist",
    "psychiatr",
    "psycholog",
    "counselling",
    "depression",
    "anxiety",
    "suicid",
    "self-harm",
    "crisis",
    "practitioner health",
    "treatment",
)
_FORBIDDEN = re.compile("|".join(re.escape(word) for word in FORBIDDEN_WORDS), re.IGNORECASE)

# Context keys whose values a person typed (a name, as they wrote it), never the service's own
# words. A caller passing typed text puts it under one of these keys.
PERSONAL_KEYS = frozenset({"name"})
PERSONAL_PLACEHOLDER = "Name"


class IndiscreetMessageError(ValueError):
    """A message text that says what the service is for; it is never queued."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


def indiscreet_words(text: str) -> list[str]:
    return sorted({match.group(0).lower() for match in _FORBIDDEN.finditer(text)})


def render_message(channel: str, template: str, context: dict[str, Any]) -> RenderedMessage:
    """The message as sent; IndiscreetMessageError if the service's own words in it are indiscreet."""
    suffix = {Channel.EMAIL: "email", Channel.SMS: "sms", Channel.VOICE: "voice"}[Channel(channel)]
    personal = {key: PERSONAL_PLACEHOLDER for key in PERSONAL_KEYS if context.get(key)}
    checked = _render(channel, suffix, template, {**context, **personal})
    found = indiscreet_words(f"{checked.subject}\n{checked.body}")
    if found:
        raise IndiscreetMessageError(f"Message {template!r} ({suffix}) contains {', '.join(found)}")
    return _render(channel, suffix, template, context) if personal else checked


def _render(channel: str, suffix: str, template: str, context: dict[str, Any]) -> RenderedMessage:
    try:
        body = render_to_string(f"notifications/{template}.{suffix}.txt", context, using="text").strip()
        subject = ""
        if channel == Channel.EMAIL:
            subject = render_to_string(f"notifications/{template}.subject.txt", context, using="text").strip()
    except TemplateDoesNotExist as exc:
        raise ValueError(f"No {suffix} template for message {template!r}") from exc
    return RenderedMessage(subject=subject, body=body)
