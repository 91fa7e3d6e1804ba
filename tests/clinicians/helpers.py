"""Helpers shared by the clinicians tests."""

from __future__ import annotations

from practitioner_health.notifications.messages import FORBIDDEN_WORDS

# What no message, calendar file or reminder may say: the platform's list plus the
# professions, since a text from "your psychologist" gives the game away as surely.
FORBIDDEN_IN_MESSAGES = (*FORBIDDEN_WORDS, "therapy", "psychiatry", "mental health", "addiction", "clinician")


def assert_discreet(text: str) -> None:
    lowered = text.lower()
    found = [word for word in FORBIDDEN_IN_MESSAGES if word in lowered]
    assert not found, f"Indiscreet words {found} in: {text!r}"
