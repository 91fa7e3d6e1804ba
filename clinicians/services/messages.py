"""What goes into appointment messages, and where they go.

Messages are discreet (the notifications discretion check enforces it): an appointment's
time, place or "by video", and how to change it; never what the appointment is for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from practitioner_health.notifications.models import Channel
from referrals.models import Referral

from ..formatting import place_text, when_text
from ..models import Appointment, Site


def contact_for(referral: Referral) -> tuple[str, str]:
    """(channel, recipient): a text if they said texts are safe and gave a mobile, else email. Never a call."""
    # The account's address is read only when the referral has none (it may cost a query).
    account_email = referral.user.email if not referral.email and referral.user is not None else ""
    return contact_choice(
        texts_ok=referral.texts_ok, mobile=referral.mobile, email=referral.email, account_email=account_email
    )


def contact_choice(*, texts_ok: bool, mobile: str, email: str, account_email: str = "") -> tuple[str, str]:
    """The rule contact_for() applies, for callers that read a referral's columns in bulk.

    `account_email` is the referral's user's address, used only when the referral has no
    email of its own. The recipient is empty when there is no way to reach them.
    """
    if texts_ok and mobile:
        return Channel.SMS, mobile
    return Channel.EMAIL, email or account_email


def appointment_context(appointment: Appointment) -> dict[str, Any]:
    """Plain strings only: the context is stored as JSON and rendered again when sent."""
    slot = appointment.slot
    return visit_context(start=slot.start, site=None if slot.site_id is None else slot.site)


def visit_context(*, start: datetime, site: Site | None, sign_in_url: str | None = None) -> dict[str, Any]:
    """appointment_context() from a slot's start and site (None: by video).

    A caller building many contexts may pass `sign_in_url` (from sign_in_address()) to work it
    out once.
    """
    return {
        "when": when_text(start),
        "video": site is None,
        "place": "" if site is None else place_text(site),
        "sign_in_url": sign_in_url or sign_in_address(),
        "helpline": settings.HELPLINE_NUMBER,
    }


def sign_in_address() -> str:
    """The full address of the sign-in page, as messages give it."""
    return f"{settings.PUBLIC_URL}{reverse('accounts:login')}"
