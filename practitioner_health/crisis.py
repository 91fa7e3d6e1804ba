"""The crisis numbers (DOMAIN.md, "Crisis information"): the one list every page, panel,
message and API response uses, each number with the link that calls or texts it.

A number on a phone screen is only help if one tap rings it: each is a `tel:` link, and
Shout's is an `sms:` link that opens a text to 85258 with SHOUT already written.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils.html import escape

# RFC 5724 writes a text's body as `sms:85258?body=SHOUT`; iOS 8 to 10 only read the
# non-standard `sms:85258&body=SHOUT`. `?&body=` is a valid RFC 5724 URI (an empty first
# field) that both read, so the message is ready to send on either kind of phone.
SHOUT_SMS_URI = "sms:85258?&body=SHOUT"


@dataclass(frozen=True)
class CrisisContact:
    key: str
    name: str
    # Shown as: "<before> <number><after>", the number being the link.
    before: str
    number: str
    href: str
    after: str

    @property
    def detail(self) -> str:
        """The whole line in words, for plain text: Call 116 123, free, 24 hours a day."""
        return f"{self.before} {self.number}{self.after}"

    def as_dict(self) -> dict[str, str]:
        return {**asdict(self), "detail": self.detail}


def tel_uri(number: str) -> str:
    """`0300 030 3300` -> `tel:03000303300`, `+44 (0)7700 900777` -> `tel:+447700900777`."""
    # The "(0)" of a UK number written for callers abroad is not dialled after +44.
    return "tel:" + "".join(ch for ch in number.replace("(0)", "") if ch.isdigit() or ch == "+")


CRISIS_CONTACTS: tuple[CrisisContact, ...] = (
    CrisisContact(
        "emergency", "Emergency", "Call", "999", tel_uri("999"), " if you or someone else is in immediate danger."
    ),
    CrisisContact(
        "nhs111",
        "NHS 111",
        "Call",
        "111",
        tel_uri("111"),
        " and choose option 2 for mental health crisis support in England.",
    ),
    CrisisContact("samaritans", "Samaritans", "Call", "116 123", tel_uri("116 123"), ", free, 24 hours a day."),
    CrisisContact("shout", "Shout", "Text SHOUT to", "85258", SHOUT_SMS_URI, "."),
    CrisisContact(
        "bma",
        "BMA wellbeing support",
        "Call",
        "0330 123 1245",
        tel_uri("0330 123 1245"),
        ", 24 hours a day, 7 days a week.",
    ),
)


def crisis_numbers() -> dict[str, str]:
    """The numbers alone, by key, for plain-text messages (which name no organisation)."""
    return {contact.key: contact.number for contact in CRISIS_CONTACTS}


def helpline_tel() -> str:
    return tel_uri(settings.HELPLINE_NUMBER)


def crisis_payload() -> dict[str, object]:
    """The crisis numbers for a JSON response (the app shows them as tap-to-call buttons)."""
    return {
        "helpline": settings.HELPLINE_NUMBER,
        "helpline_href": helpline_tel(),
        "contacts": [contact.as_dict() for contact in CRISIS_CONTACTS],
    }


def _numbers_to_links() -> list[tuple[str, str]]:
    found = {contact.number: contact.href for contact in CRISIS_CONTACTS}
    found[settings.HELPLINE_NUMBER] = helpline_tel()
    # Longest first, so "0330 123 1245" is one link, not a "123" inside it.
    return sorted(found.items(), key=lambda item: -len(item[0]))


def link_numbers(html: str) -> str:
    """Each crisis number (and the helpline's) in already-escaped text, made a link to call it."""
    pairs = _numbers_to_links()
    pattern = re.compile(r"(?<![\w:+])(" + "|".join(re.escape(number) for number, _ in pairs) + r")(?!\d)")
    hrefs = dict(pairs)
    return pattern.sub(lambda m: f'<a class="ph-call-link" href="{escape(hrefs[m.group(1)])}">{m.group(1)}</a>', html)
