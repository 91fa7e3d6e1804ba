"""iCalendar (.ics) files for appointments: a discreet title, the time and the place.

The title is only "Appointment" (calendars sync to work accounts and show on shared
screens); the video link is never in the file, it is shown in the account when it is time.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .formatting import place_text
from .models import Appointment, AppointmentStatus


def appointment_ics(appointment: Appointment) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//PH Service//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    host = urlsplit(settings.PUBLIC_URL).hostname or "localhost"
    # One UID per appointment and SEQUENCE = version, so a calendar updates a moved appointment in place.
    event.add("uid", f"appointment-{appointment.pk}@{host}")
    event.add("sequence", appointment.version - 1)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.slot.start)
    event.add("dtend", appointment.slot.end)
    event.add("summary", "Appointment")
    event.add(
        "location",
        "Video (sign in to your account to join)" if appointment.is_video else place_text(appointment.slot.site),
    )
    event.add(
        "description",
        f"To change or cancel, sign in at {settings.PUBLIC_URL} or call {settings.HELPLINE_NUMBER}.",
    )
    event.add("status", "CANCELLED" if appointment.is_cancelled else "CONFIRMED")
    if appointment.status == AppointmentStatus.BOOKED:
        event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()
