"""The practitioner's own appointment pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from clinicians.models import Appointment, AppointmentKind, AppointmentStatus, OutcomeMeasure, SlotStatus
from clinicians.services import appointment_book

from .factories import EpisodeFactory, SlotFactory, booked, in_days
from .helpers import assert_discreet

pytestmark = pytest.mark.django_db


def _answers(prefix: str, values: list[int]) -> dict[str, str]:
    return {f"{prefix}_{n}": str(v) for n, v in enumerate(values, start=1)}


def test_before_being_matched_the_practitioner_is_told_how_booking_will_work(client_for, practitioner) -> None:
    client = client_for(practitioner)
    assert "matched you with a clinician" in client.get(reverse("clinicians:my_appointments")).content.decode()
    assert "matched you with a clinician" in client.get(reverse("clinicians:my_book")).content.decode()


def test_a_practitioner_books_one_of_their_clinicians_open_times(client_for, practitioner, episode, site) -> None:
    slot = SlotFactory(clinician=episode.clinician, start=in_days(4, 15), site=site)
    client = client_for(practitioner)

    page = client.get(reverse("clinicians:my_book")).content.decode()
    response = client.post(reverse("clinicians:my_book"), {"slot": slot.pk})

    assert "3pm to 3:50pm, at Riverside Rooms" in page
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("clinicians:my_appointment", args=[appointment.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Riverside Rooms" in detail and "Ring the buzzer marked Suite 4." in detail
    assert "Change the time" in detail and "Cancel this appointment" in detail
    listing = client.get(reverse("clinicians:my_appointments")).content.decode()
    assert "at 3pm" in listing


def test_choosing_nothing_asks_for_a_time(client_for, practitioner, episode) -> None:
    SlotFactory(clinician=episode.clinician)
    response = client_for(practitioner).post(reverse("clinicians:my_book"), {})
    assert response.status_code == 400
    assert "Choose a time" in response.content.decode()


def test_a_time_taken_after_the_page_was_shown_gets_a_clear_message_and_the_next_times(
    client_for, practitioner, episode, other_practitioner
) -> None:
    wanted = SlotFactory(clinician=episode.clinician, start=in_days(4, 9))
    SlotFactory(clinician=episode.clinician, start=in_days(5, 11))
    client = client_for(practitioner)
    client.get(reverse("clinicians:my_book"))
    rival = EpisodeFactory(clinician=episode.clinician)
    appointment_book(slot_id=wanted.pk, episode_id=rival.pk, booked_by=other_practitioner)

    response = client.post(reverse("clinicians:my_book"), {"slot": wanted.pk})

    page = response.content.decode()
    assert response.status_code == 409
    assert "That time has just been taken" in page
    assert "The next available times are" in page and "at 11am" in page
    assert f'value="{wanted.pk}"' not in page  # no longer offered
    assert not Appointment.objects.filter(episode=episode).exists()


def test_a_practitioner_with_an_appointment_is_sent_to_change_it_instead_of_booking_another(
    client_for, practitioner, episode
) -> None:
    booked(episode, start=in_days(6, 10))
    response = client_for(practitioner).get(reverse("clinicians:my_book"))
    assert response["Location"] == reverse("clinicians:my_appointments")


def test_moving_an_appointment_to_another_time(client_for, practitioner, episode) -> None:
    appointment = booked(episode, start=in_days(6, 10))
    later = SlotFactory(clinician=episode.clinician, start=in_days(8, 16))
    client = client_for(practitioner)

    page = client.get(reverse("clinicians:my_reschedule", args=[appointment.pk])).content.decode()
    response = client.post(reverse("clinicians:my_reschedule", args=[appointment.pk]), {"slot": later.pk})

    assert "Your appointment is now on" in page
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.slot_id == later.pk


def test_cancelling_asks_to_confirm_then_frees_the_time(client_for, practitioner, episode) -> None:
    appointment = booked(episode, start=in_days(6, 10))
    client = client_for(practitioner)

    confirm = client.get(reverse("clinicians:my_cancel", args=[appointment.pk])).content.decode()
    response = client.post(reverse("clinicians:my_cancel", args=[appointment.pk]))

    assert "Are you sure you want to cancel" in confirm
    assert response["Location"] == reverse("clinicians:my_appointments")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_PRACTITIONER
    assert appointment.slot.status == SlotStatus.OPEN
    assert "Cancelled by you" in client.get(reverse("clinicians:my_appointments")).content.decode()


def test_inside_the_cutoff_the_pages_say_to_call_the_helpline(client_for, practitioner, episode, settings) -> None:
    appointment = booked(episode, start=in_days(1, 10))
    with time_machine.travel(appointment.slot.start - timedelta(hours=5), tick=False):
        client = client_for(practitioner)
        detail = client.get(reverse("clinicians:my_appointment", args=[appointment.pk])).content.decode()
        cancel = client.post(reverse("clinicians:my_cancel", args=[appointment.pk])).content.decode()
        move = client.get(reverse("clinicians:my_reschedule", args=[appointment.pk])).content.decode()

    # The number is a link that calls it.
    assert (
        f'call the helpline on <a class="ph-call-link" href="tel:03000303300">{settings.HELPLINE_NUMBER}</a>' in detail
    )
    assert "Cancel this appointment" not in detail
    assert "Call us to change this appointment" in cancel and "Call us to change this appointment" in move
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_calendar_file_is_discreet(client_for, practitioner, episode, site) -> None:
    appointment = booked(episode, start=in_days(6, 10), site=site)

    response = client_for(practitioner).get(reverse("clinicians:my_calendar", args=[appointment.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="appointment.ics"' in response["Content-Disposition"]
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Appointment"
    assert event.decoded("DTSTART") == appointment.slot.start
    assert "Riverside Rooms" in str(event["LOCATION"])
    assert_discreet(response.content.decode())


def test_a_video_calendar_file_does_not_carry_the_link(client_for, practitioner, episode) -> None:
    appointment = booked(episode, start=in_days(6, 10))
    response = client_for(practitioner).get(reverse("clinicians:my_calendar", args=[appointment.pk]))
    assert appointment.video_token not in response.content.decode()
    assert "Video" in response.content.decode()


def test_the_video_link_appears_15_minutes_before_and_goes_at_the_end(client_for, practitioner, episode) -> None:
    appointment = booked(episode, start=in_days(2, 10))
    url = reverse("clinicians:my_appointment", args=[appointment.pk])
    pages = {}
    for label, offset in (("early", -16), ("open", -14), ("during", 30), ("after", 51)):
        with time_machine.travel(appointment.slot.start + timedelta(minutes=offset), tick=False):
            pages[label] = client_for(practitioner).get(url).content.decode()

    assert appointment.video_token not in pages["early"] and "will appear here 15 minutes before" in pages["early"]
    assert appointment.video_url in pages["open"] and appointment.video_url in pages["during"]
    assert appointment.video_token not in pages["after"]


def test_before_a_treatment_appointment_the_practitioner_is_invited_to_answer_phq9_and_gad7(
    client_for, practitioner, episode
) -> None:
    appointment = booked(episode, start=in_days(3, 10), kind=AppointmentKind.TREATMENT)
    client = client_for(practitioner)
    invitation = reverse("clinicians:my_questionnaires", args=[appointment.pk])

    assert invitation in client.get(reverse("clinicians:my_appointments")).content.decode()
    form = client.get(invitation).content.decode()
    response = client.post(invitation, {**_answers("phq9", [2] * 8 + [0]), **_answers("gad7", [1] * 7)})

    assert "Over the last 2 weeks" in form or "last 2 weeks" in form
    assert response.status_code == 200
    assert "Your answers have been sent to your clinician" in response.content.decode()
    scores = {o.measure: o for o in OutcomeMeasure.objects.filter(appointment=appointment)}
    assert (scores["PHQ-9"].total, scores["GAD-7"].total) == (16, 7)
    assert scores["PHQ-9"].recorded_by == practitioner
    assert invitation not in client.get(reverse("clinicians:my_appointments")).content.decode()


def test_a_positive_answer_to_question_9_shows_urgent_help_at_once(client_for, practitioner, episode) -> None:
    appointment = booked(episode, start=in_days(3, 10))
    response = client_for(practitioner).post(
        reverse("clinicians:my_questionnaires", args=[appointment.pk]),
        {**_answers("phq9", [0] * 8 + [1]), **_answers("gad7", [0] * 7)},
    )
    page = response.content.decode()
    assert 'id="urgent-help"' in page
    assert "116 123" in page


def test_no_questionnaires_are_asked_for_an_assessment(client_for, practitioner, episode) -> None:
    appointment = booked(episode, start=in_days(3, 10), kind=AppointmentKind.ASSESSMENT)
    client = client_for(practitioner)
    assert (
        "questionnaires" not in client.get(reverse("clinicians:my_appointment", args=[appointment.pk])).content.decode()
    )
    response = client.get(reverse("clinicians:my_questionnaires", args=[appointment.pk]))
    assert response["Location"] == reverse("clinicians:my_appointment", args=[appointment.pk])


def test_appointment_pages_are_never_cached_and_calendar_downloads_are_audited(
    client_for, practitioner, episode
) -> None:
    from practitioner_health.audit.models import AuditEvent

    appointment = booked(episode, start=in_days(6, 10))
    client = client_for(practitioner)

    page = client.get(reverse("clinicians:my_appointment", args=[appointment.pk]))
    client.get(reverse("clinicians:my_calendar", args=[appointment.pk]))

    assert "no-store" in page["Cache-Control"]
    assert AuditEvent.objects.filter(subject=practitioner, action="export", detail="calendar file").exists()
