"""Helpline handlers booking, moving and cancelling for practitioners."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from clinicians.models import Appointment, AppointmentKind, AppointmentStatus
from practitioner_health.notifications.messages import render_message
from practitioner_health.notifications.models import Channel, Notification
from tests.factories import ReferralFactory

from .factories import EpisodeFactory, SlotFactory, booked, in_days
from .helpers import assert_discreet

pytestmark = pytest.mark.django_db


def test_the_booking_list_shows_everyone_with_a_clinician(client_for, handler, episode) -> None:
    EpisodeFactory(referral=ReferralFactory(in_care=True, user=None, name="Dr Urgent Person", urgent=True))

    page = client_for(handler).get(reverse("clinicians:booking_index")).content.decode()

    assert page.index("Dr Urgent Person") < page.index("Dr Avery Example")
    assert reverse("clinicians:booking", args=[episode.pk]) in page


def test_a_handler_books_an_assessment_and_the_practitioner_gets_a_text_if_texts_are_safe(
    client_for, handler, practitioner, clinician_profile
) -> None:
    episode = EpisodeFactory(
        referral=ReferralFactory(in_care=True, user=practitioner, texts_ok=True), clinician=clinician_profile
    )
    slot = SlotFactory(clinician=clinician_profile, start=in_days(5, 13))

    response = client_for(handler).post(
        reverse("clinicians:booking", args=[episode.pk]), {"kind": AppointmentKind.ASSESSMENT, "slot": slot.pk}
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.kind, appointment.booked_by) == (AppointmentKind.ASSESSMENT, handler)
    message = Notification.objects.get(template="appointment_booked")
    assert (message.channel, message.recipient) == (Channel.SMS, episode.referral.mobile)
    body = render_message(message.channel, message.template, message.context).body
    assert "1pm" in body
    assert_discreet(body)


def test_a_handler_must_choose_the_type_and_a_time(client_for, handler, episode) -> None:
    SlotFactory(clinician=episode.clinician)
    response = client_for(handler).post(reverse("clinicians:booking", args=[episode.pk]), {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the type of appointment" in page and "Choose a time" in page


def test_a_handler_moves_an_appointment_inside_the_cutoff(client_for, handler, episode) -> None:
    appointment = booked(episode, start=in_days(2, 10))
    later = SlotFactory(clinician=episode.clinician, start=in_days(4, 12))

    # Three hours before: too late for the practitioner online, not for the helpline.
    with time_machine.travel(appointment.slot.start - timedelta(hours=3), tick=False):
        response = client_for(handler).post(
            reverse("clinicians:booking_reschedule", args=[appointment.pk]), {"slot": later.pk}
        )

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.slot_id == later.pk and appointment.version == 2


def test_a_handler_cancels_for_the_service_and_the_time_reopens(client_for, handler, episode) -> None:
    appointment = booked(episode, start=in_days(3, 10))

    response = client_for(handler).post(
        reverse("clinicians:booking_cancel", args=[appointment.pk]), {"reason": "Clinician on leave", "reopen": "yes"}
    )

    assert response["Location"] == reverse("clinicians:booking", args=[episode.pk])
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_SERVICE
    assert appointment.slot.status == "open"
