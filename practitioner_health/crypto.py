"""Keyed hashing for "blind index" columns.

Encrypted fields cannot be searched, so each value we must look up (an email at login, a
registration number for duplicates) also gets an HMAC-SHA256 under its own key. The
purpose is mixed in so equal values in different columns do not produce equal hashes.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def blind_index(value: str, *, purpose: str) -> str:
    key = settings.BLIND_INDEX_KEY.encode()
    message = f"{purpose}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_index(email: str) -> str:
    return blind_index(normalise_email(email), purpose="email")


def normalise_phone(number: str) -> str:
    """UK numbers to E.164 (+44...), so a number typed as 07700 900123 matches Twilio's +447700900123."""
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("0"):
        digits = "+44" + digits[1:]
    if digits and not digits.startswith("+"):
        digits = "+" + digits
    return digits


def phone_index(number: str) -> str:
    return blind_index(normalise_phone(number), purpose="phone")
