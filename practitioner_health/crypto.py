"""Keyed hashing for "blind index" columns.

Encrypted fields cannot be searched, so each value we must look up (an email at login, a
registration number for duplicates) also gets an HMAC-SHA256 under its own key. The
purpose is mixed in so equal values in different columns do not produce equal hashes.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from practitioner_health import phones


def blind_index(value: str, *, purpose: str) -> str:
    key = settings.BLIND_INDEX_KEY.encode()
    message = f"{purpose}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_index(email: str) -> str:
    return blind_index(normalise_email(email), purpose="email")


def normalise_phone(number: str) -> str:
    """Any way of writing a number to E.164, so 07700 900123 matches the provider's +447700900123."""
    return phones.normalise_phone(number)


def phone_index(number: str) -> str:
    return blind_index(normalise_phone(number), purpose="phone")
