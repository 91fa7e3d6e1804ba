"""What goes into appointment messages, and where they go.

Messages are discreet (the notifications discretion check enforces it): an appointment's
time, place or "by video", and how to change it; never what the appointment is for.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from practitioner_health.notifications.models import Channel
from referrals.models import Referral

from ..formatting import place_text, when_text
from ..models import Appointment


def contact_for(referral: Referral) -> tuple[str, str]:
    """(channel, recipient): a text if they said texts are safe and gave a mobile, else email. Never a call."""
    if referral.texts_ok and referral.mobile:
        return Channel.SMS, referral.mobile
    email = referral.email or (referral.user.email if referral.user is not None else "")
    return Channel.EMAIL, email


def appointment_context(appointment: Appointment) -> dict[str, Any]:
    """Plain strings only: the context is stored as JSON and rendered again when sent."""
    slot = appointment.slot
    return {
        "when": when_text(slot.start),
        "video": slot.site_id is None,
        "place": "" if slot.site_id is None else place_text(slot.site),
        "sign_in_url": f"{settings.PUBLIC_URL}{reverse('accounts:login')}",
        "helpline": settings.HELPLINE_NUMBER,
    }
