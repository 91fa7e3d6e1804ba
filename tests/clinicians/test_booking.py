"""Booking, moving, cancelling and attendance, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from clinicians.models import Appointment, AppointmentKind, AppointmentStatus, SlotStatus
from clinicians.services import (
    BookingError,
    SlotTakenError,
    TooLateToChangeError,
    appointment_attendance_record,
    appointment_book,
    appointment_cancel_by_practitioner,
    appointment_cancel_by_service,
    appointment_reschedule,
    episode_discharge,
)
from practitioner_health.audit.models import AuditEvent
from practitioner_health.notifications.messages import render_message
from practitioner_health.notifications.models import Channel, Notification

from .factories import EpisodeFactory, SlotFactory, booked, in_days
from .helpers import assert_discreet

pytestmark = pytest.mark.django_db


def test_booking_an_open_slot_makes_one_appointment_and_closes_the_slot(episode, practitioner, site) -> None:
    slot = SlotFactory(clinician=episode.clinician, start=in_days(4, 14), site=site)

    appointment = appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=practitioner)

    slot.refresh_from_db()
    assert slot.status == SlotStatus.BOOKED
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.video_token == ""  # face to face
    assert AuditEvent.objects.filter(
        object_type="clinicians.appointment", object_id=str(appointment.pk), subject=practitioner
    ).exists()


def test_the_booking_confirmation_is_discreet_and_goes_by_email_when_texts_are_not_safe(
    episode, practitioner, site
) -> None:
    slot = SlotFactory(clinician=episode.clinician, start=in_days(4, 14), site=site)
    appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=practitioner)

    message = Notification.objects.get(template="appointment_booked")
    assert message.channel == Channel.EMAIL
    assert message.recipient == episode.referral.email
    rendered = render_message(message.channel, message.template, message.context)
    assert "Riverside Rooms" in rendered.body
    assert "2pm" in rendered.body
    assert_discreet(rendered.subject + rendered.body)


def test_a_video_appointment_gets_an_unguessable_link(episode, practitioner, settings) -> None:
    settings.VIDEO_BASE_URL = "https://video.example/room/"
    first = appointment_book(
        slot_id=SlotFactory(clinician=episode.clinician).pk, episode_id=episode.pk, booked_by=practitioner
    )
    second = appointment_book(
        slot_id=SlotFactory(clinician=episode.clinician).pk, episode_id=episode.pk, booked_by=practitioner
    )

    assert first.video_url.startswith("https://video.example/room/")
    assert len(first.video_token) >= 32
    assert first.video_token != second.video_token


def test_a_taken_slot_is_refused_with_the_next_open_times(episode, practitioner, other_practitioner) -> None:
    wanted = SlotFactory(clinician=episode.clinician, start=in_days(3, 9))
    later = [SlotFactory(clinician=episode.clinician, start=in_days(3 + n, 15)) for n in range(1, 5)]
    rival = EpisodeFactory(clinician=episode.clinician)
    appointment_book(slot_id=wanted.pk, episode_id=rival.pk, booked_by=other_practitioner)

    with pytest.raises(SlotTakenError) as refused:
        appointment_book(slot_id=wanted.pk, episode_id=episode.pk, booked_by=practitioner)

    assert "That time has just been taken" in refused.value.message
    assert [slot.pk for slot in refused.value.next_slots] == [slot.pk for slot in later[:3]]
    assert Appointment.objects.filter(slot=wanted).count() == 1


def test_the_database_refuses_a_second_live_appointment_on_a_slot(episode) -> None:
    appointment = booked(episode)
    other = EpisodeFactory(clinician=episode.clinician)

    with pytest.raises(IntegrityError, match="appointment_slot_booked_once"), transaction.atomic():
        Appointment.objects.create(slot=appointment.slot, episode=other)


def test_a_cancelled_appointment_lets_someone_else_book_the_time(episode, practitioner, other_practitioner) -> None:
    slot = SlotFactory(clinician=episode.clinician, start=in_days(6, 10))
    first = appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=practitioner)
    appointment_cancel_by_practitioner(appointment_id=first.pk, by=practitioner)

    rival = EpisodeFactory(clinician=episode.clinician)
    second = appointment_book(slot_id=slot.pk, episode_id=rival.pk, booked_by=other_practitioner)

    assert second.slot_id == slot.pk
    assert Appointment.objects.filter(slot=slot).live().count() == 1


def test_the_first_appointment_is_an_assessment_and_later_ones_treatment(episode, practitioner) -> None:
    first = appointment_book(
        slot_id=SlotFactory(clinician=episode.clinician).pk, episode_id=episode.pk, booked_by=practitioner
    )
    second = appointment_book(
        slot_id=SlotFactory(clinician=episode.clinician).pk, episode_id=episode.pk, booked_by=practitioner
    )

    assert first.kind == AppointmentKind.ASSESSMENT
    assert second.kind == AppointmentKind.TREATMENT


def test_a_practitioner_booking_for_themselves_holds_one_upcoming_appointment(episode, practitioner) -> None:
    appointment_book(slot_id=SlotFactory(clinician=episode.clinician).pk, episode_id=episode.pk, booked_by=practitioner)

    with pytest.raises(BookingError, match="already have an appointment"):
        appointment_book(
            slot_id=SlotFactory(clinician=episode.clinician).pk,
            episode_id=episode.pk,
            booked_by=practitioner,
            only_one_upcoming=True,
        )


def test_a_slot_of_another_clinician_cannot_be_booked(episode, practitioner, other_clinician_profile) -> None:
    theirs = SlotFactory(clinician=other_clinician_profile)

    with pytest.raises(BookingError, match="not one of your clinician"):
        appointment_book(slot_id=theirs.pk, episode_id=episode.pk, booked_by=practitioner)
    theirs.refresh_from_db()
    assert theirs.status == SlotStatus.OPEN


def test_a_past_slot_cannot_be_booked(episode, practitioner) -> None:
    slot = SlotFactory(clinician=episode.clinician, start=in_days(2, 10))
    with time_machine.travel(slot.start + timedelta(minutes=1), tick=False), pytest.raises(SlotTakenError):
        appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=practitioner)


def test_no_new_appointments_after_discharge(episode, practitioner, clinician) -> None:
    episode_discharge(episode_id=episode.pk, reason="completed", note="", by=clinician)

    with pytest.raises(BookingError, match="finished"):
        appointment_book(
            slot_id=SlotFactory(clinician=episode.clinician).pk, episode_id=episode.pk, booked_by=practitioner
        )


def test_rescheduling_moves_the_booking_frees_the_old_time_and_starts_a_new_version(episode, practitioner) -> None:
    old = SlotFactory(clinician=episode.clinician, start=in_days(5, 10))
    new = SlotFactory(clinician=episode.clinician, start=in_days(8, 15))
    appointment = appointment_book(slot_id=old.pk, episode_id=episode.pk, booked_by=practitioner)
    old_token = appointment.video_token

    moved = appointment_reschedule(appointment_id=appointment.pk, new_slot_id=new.pk, by=practitioner)

    old.refresh_from_db()
    new.refresh_from_db()
    assert moved.pk == appointment.pk
    assert moved.slot_id == new.pk
    assert moved.version == 2
    assert moved.video_token and moved.video_token != old_token
    assert (old.status, new.status) == (SlotStatus.OPEN, SlotStatus.BOOKED)
    changed = Notification.objects.get(template="appointment_booked", idempotency_key__endswith=":v2")
    assert "moved" in render_message(changed.channel, changed.template, changed.context).body


def test_rescheduling_onto_a_taken_time_changes_nothing(episode, practitioner, other_practitioner) -> None:
    mine = SlotFactory(clinician=episode.clinician, start=in_days(5, 10))
    theirs = SlotFactory(clinician=episode.clinician, start=in_days(8, 15))
    appointment = appointment_book(slot_id=mine.pk, episode_id=episode.pk, booked_by=practitioner)
    appointment_book(
        slot_id=theirs.pk, episode_id=EpisodeFactory(clinician=episode.clinician).pk, booked_by=other_practitioner
    )

    with pytest.raises(SlotTakenError):
        appointment_reschedule(appointment_id=appointment.pk, new_slot_id=theirs.pk, by=practitioner)

    appointment.refresh_from_db()
    mine.refresh_from_db()
    assert appointment.slot_id == mine.pk and appointment.version == 1
    assert mine.status == SlotStatus.BOOKED


def test_practitioners_cannot_move_or_cancel_inside_the_cutoff(episode, practitioner, settings) -> None:
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 24
    slot = SlotFactory(clinician=episode.clinician, start=in_days(3, 10))
    other = SlotFactory(clinician=episode.clinician, start=in_days(6, 10))
    appointment = appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=practitioner)

    with time_machine.travel(slot.start - timedelta(hours=23), tick=False):
        with pytest.raises(TooLateToChangeError):
            appointment_cancel_by_practitioner(appointment_id=appointment.pk, by=practitioner)
        with pytest.raises(TooLateToChangeError):
            appointment_reschedule(appointment_id=appointment.pk, new_slot_id=other.pk, by=practitioner)
    with time_machine.travel(slot.start - timedelta(hours=25), tick=False):
        appointment_cancel_by_practitioner(appointment_id=appointment.pk, by=practitioner)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_PRACTITIONER


def test_the_service_can_cancel_inside_the_cutoff_with_a_reason_and_tells_the_practitioner(
    episode, practitioner, handler
) -> None:
    episode.referral.texts_ok = True
    episode.referral.save()
    slot = SlotFactory(clinician=episode.clinician, start=in_days(2, 10))
    appointment = appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=practitioner)

    with time_machine.travel(slot.start - timedelta(hours=3), tick=False):
        appointment_cancel_by_service(
            appointment_id=appointment.pk, by=handler, reason="Clinician unwell today", reopen_slot=False
        )

    appointment.refresh_from_db()
    slot.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_SERVICE
    assert appointment.cancel_reason == "Clinician unwell today"
    assert slot.status == SlotStatus.BLOCKED
    message = Notification.objects.get(template="appointment_cancelled")
    assert (message.channel, message.recipient) == (Channel.SMS, episode.referral.mobile)
    body = render_message(message.channel, message.template, message.context).body
    assert "unwell" not in body
    assert_discreet(body)


def test_attendance_is_recorded_only_once_the_appointment_has_started(episode, clinician) -> None:
    appointment = booked(episode, start=in_days(1, 10))

    with pytest.raises(BookingError, match="once the appointment has started"):
        appointment_attendance_record(appointment_id=appointment.pk, attended=True, by=clinician)
    with time_machine.travel(appointment.slot.start + timedelta(minutes=5), tick=False):
        appointment_attendance_record(appointment_id=appointment.pk, attended=False, by=clinician)
        appointment_attendance_record(appointment_id=appointment.pk, attended=True, by=clinician)  # corrected

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED
    assert appointment.attendance_recorded_by == clinician


def test_attendance_cannot_be_recorded_for_a_cancelled_appointment(episode, practitioner, clinician) -> None:
    appointment = booked(episode, start=in_days(4, 10))
    appointment_cancel_by_practitioner(appointment_id=appointment.pk, by=practitioner)

    with (
        time_machine.travel(appointment.slot.start + timedelta(minutes=5), tick=False),
        pytest.raises(BookingError, match="cancelled"),
    ):
        appointment_attendance_record(appointment_id=appointment.pk, attended=True, by=clinician)


def test_discharge_cancels_upcoming_appointments_and_marks_the_referral(episode, clinician) -> None:
    upcoming = booked(episode, start=in_days(7, 10))

    episode_discharge(episode_id=episode.pk, reason="moved-away", note="", by=clinician)

    upcoming.refresh_from_db()
    episode.refresh_from_db()
    episode.referral.refresh_from_db()
    assert upcoming.status == AppointmentStatus.CANCELLED_BY_SERVICE
    assert upcoming.slot.status == SlotStatus.OPEN
    assert episode.ended_at is not None and episode.discharge_reason == "moved-away"
    assert episode.referral.status == "discharged"
