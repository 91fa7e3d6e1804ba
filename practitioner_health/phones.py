"""Phone numbers as people type them, in one place.

Every form, search box, webhook and API field that takes a phone number uses these, so
`07700 900777`, `+44 (0)7700 900777`, `0044 7700 900 777` and `(07700) 900-777` are the
same number everywhere and the blind index of a number never depends on how it was typed.

The parsing is the `phonenumbers` library (Google's libphonenumber rules): hand-written
patterns got the UK's `+44 (0)` habit and many national formats wrong. UK numbers are
checked for a possible length and leading digit rather than for a number range in use, so
Ofcom's drama ranges (07700 900xxx, 020 7946 0xxx), used in demos and tests, are accepted.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat

MOBILE_EXAMPLE = "07700 900 982 or +44 7700 900 982"
PHONE_EXAMPLE = "07700 900 982, 020 7946 0018 or +44 7700 900 982"


class PhoneNumberError(ValueError):
    """A number that cannot be used, with a message fit to show the person who typed it."""


def _parse(text: str, *, mobile: bool) -> PhoneNumber:
    noun, example = ("mobile number", MOBILE_EXAMPLE) if mobile else ("phone number", PHONE_EXAMPLE)
    compact = (text or "").strip()
    if not compact:
        raise PhoneNumberError(f"Enter a {noun}")
    try:
        return phonenumbers.parse(compact, "GB")
    except NumberParseException as error:
        raise PhoneNumberError(f"Enter a {noun}, like {example}") from error


def _is_uk(number: PhoneNumber) -> bool:
    return number.country_code == 44


def _uk_national(number: PhoneNumber) -> str:
    return str(number.national_number)


def parse_phone(text: str, *, mobile: bool = False) -> str:
    """The number in international form (+447700900982), or PhoneNumberError.

    With `mobile`, a UK number must be a mobile (07...); a number abroad must be a valid
    number of its country (we cannot tell its mobiles apart reliably, so it is allowed).
    """
    number = _parse(text, mobile=mobile)
    example = MOBILE_EXAMPLE if mobile else PHONE_EXAMPLE
    if _is_uk(number):
        national = _uk_national(number)
        if not phonenumbers.is_possible_number(number) or len(national) not in (9, 10):
            raise PhoneNumberError(f"Enter a UK phone number with 11 digits, like {example}")
        if mobile and not (national.startswith("7") and len(national) == 10):
            raise PhoneNumberError(f"Enter a UK mobile number, like {MOBILE_EXAMPLE}")
    elif not phonenumbers.is_valid_number(number):
        raise PhoneNumberError(
            f"Enter a phone number, like {example}. For a number outside the UK, start with + and the country code"
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalise_phone(text: str) -> str:
    """Best-effort international form for matching and indexing; never raises.

    Used where a number arrives from elsewhere (the phone provider's caller id, a search
    box) and a mismatch should simply find nothing.
    """
    try:
        number = phonenumbers.parse((text or "").strip(), "GB")
    except NumberParseException:
        digits = "".join(ch for ch in text or "" if ch.isdigit())
        return f"+{digits}" if digits else ""
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_for_display(number: str) -> str:
    """+447700900982 -> 07700 900982 (as people write UK numbers); others internationally."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, "GB")
    except NumberParseException:
        return number
    if _is_uk(parsed):
        national = "0" + _uk_national(parsed)
        if national.startswith("07") and len(national) == 11:
            return f"{national[:5]} {national[5:]}"
        formatted = phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
        return formatted if formatted.startswith("0") else national
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)
