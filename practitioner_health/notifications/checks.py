"""Start-up check: the links in messages are as discreet as their words.

Every email carries a link (a password link, the sign-in page, a video room). Someone who
sees the message on a shared screen or a lock screen sees the address too, so an address
that names the service or a condition says what the message is about. The words are the
discretion check's own (FORBIDDEN_WORDS); an address has no spaces, so they are compared
with the separators taken out ("mental-health", "practitionerhealth", "self_harm").
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from .messages import FORBIDDEN_WORDS

# The settings whose addresses end up in messages.
LINK_SETTINGS = ("PUBLIC_URL", "VIDEO_BASE_URL")

_SEPARATORS = re.compile(r"[^a-z0-9]")


def _squashed(text: str) -> str:
    return _SEPARATORS.sub("", text.lower())


def indiscreet_link_words(url: str) -> list[str]:
    """The forbidden words in an address: its host and path, whatever separates the words."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    text = _squashed(f"{parts.hostname or ''}{parts.path}")
    return sorted({word for word in FORBIDDEN_WORDS if _squashed(word) in text})


@register()
def check_discreet_links(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name in LINK_SETTINGS:
        value = str(getattr(settings, name, "") or "")
        if found := indiscreet_link_words(value):
            errors.append(
                Error(
                    f"{name} names what the service is for ({', '.join(found)}); it is shown in every message's links.",
                    hint="Use a neutral address (the sign-in domain and the video links appear on lock screens "
                    "and shared screens), as the message texts themselves are.",
                    id="notifications.E001",
                )
            )
    return errors
