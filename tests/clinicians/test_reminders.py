"""Reminders before appointments: right times, right channel, discreet, exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from clinicians.formatting import when_text
from clinicians.models import AppointmentReminder
from clinicians.services import (
    appointment_book,
    appointment_cancel_by_practitioner,
    appointment_reschedule,
    reminders_send,
)
from clinicians.tasks import send_reminders
from practitioner_health.notifications.messages import render_message
from practitioner_health.notifications.models import Channel, Notification
from practitioner_health.notifications.services import notification_send

from .factories import EpisodeFactory, ReferralFactory, SiteFactory, SlotFactory, in_days
from .helpers import assert_discreet

pytestmark = pytest.mark.django_db


def reminders() -> list[Notification]:
    return list(Notification.objects.filter(template="appointment_reminder").order_by("created_at", "id"))


@pytest.fixture
def appointment(episode, practitioner, site):  # type: ignore[no-untyped-def]
    """Booked now for 10am in five days, at a site."""
    slot = SlotFactory(clinician=episode.clinician, start=in_days(5, 10), site=site)
    return appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=practitioner)


def at(moment):  # type: ignore[no-untyped-def]
    return time_machine.travel(moment, tick=False)


def test_the_defaults_are_48_and_2_hours_and_the_job_runs_every_five_minutes() -> None:
    assert settings.APPOINTMENT_REMINDER_HOURS == [48, 2]
    job = settings.CELERY_BEAT_SCHEDULE["clinicians-send-reminders"]
    assert job["task"] == "clinicians.send_reminders"
    assert job["schedule"] == timedelta(minutes=5)
    assert settings.CELERY_BEAT_SCHEDULE["clinicians-generate-slots"]["task"] == "clinicians.generate_slots"


def test_reminders_go_48_hours_and_2_hours_before_and_not_before_their_time(appointment) -> None:
    start = appointment.slot.start

    with at(start - timedelta(hours=48, minutes=1)):
        assert reminders_send() == 0
    with at(start - timedelta(hours=47, minutes=58)):
        assert reminders_send() == 1
    with at(start - timedelta(hours=2, minutes=1)):
        assert reminders_send() == 0
    with at(start - timedelta(hours=1, minutes=58)):
        assert reminders_send() == 1
    with at(start + timedelta(minutes=5)):
        assert reminders_send() == 0

    sent = reminders()
    assert [n.idempotency_key for n in sent] == [
        f"appointment-reminder:{appointment.pk}:48h:v1",
        f"appointment-reminder:{appointment.pk}:2h:v1",
    ]


def test_running_the_job_twice_sends_no_duplicates(appointment) -> None:
    with at(appointment.slot.start - timedelta(hours=47)):
        assert send_reminders.apply().get() == 1
        assert send_reminders.apply().get() == 0
    with at(appointment.slot.start - timedelta(hours=46)):
        assert reminders_send() == 0

    assert len(reminders()) == 1
    assert AppointmentReminder.objects.filter(appointment=appointment).count() == 1


def test_reminders_go_by_email_when_texts_are_not_safe(appointment) -> None:
    with at(appointment.slot.start - timedelta(hours=47)):
        reminders_send()

    (reminder,) = reminders()
    assert reminder.channel == Channel.EMAIL
    assert reminder.recipient == appointment.episode.referral.email
    assert reminder.subject_id == appointment.episode.referral.user_id


def test_reminders_go_by_text_when_the_practitioner_said_texts_are_safe_and_never_by_voice(
    practitioner, clinician_profile, fake_twilio
) -> None:
    referral = ReferralFactory(user=practitioner, texts_ok=True, voicemail_ok=True, mobile="+447700900123")
    episode = EpisodeFactory(referral=referral, clinician=clinician_profile)
    slot = SlotFactory(clinician=clinician_profile, start=in_days(5, 14, 30))
    appointment = appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=practitioner)

    with at(slot.start - timedelta(hours=47)):
        reminders_send()
        (reminder,) = reminders()
        assert (reminder.channel, reminder.recipient) == (Channel.SMS, "+447700900123")
        assert notification_send(notification_id=reminder.pk) == "sent"

    (text,) = fake_twilio.messages()
    assert text.form["To"] == "+447700900123"
    assert "appointment on" in text.form["Body"]
    assert "2:30pm" in text.form["Body"]
    assert "by video" in text.form["Body"]
    assert appointment.video_token not in text.form["Body"]
    assert_discreet(text.form["Body"])
    assert fake_twilio.calls() == []
    assert not Notification.objects.filter(channel=Channel.VOICE).exists()


def test_reminder_text_names_the_time_and_place_and_how_to_change_it_and_nothing_else(appointment) -> None:
    with at(appointment.slot.start - timedelta(hours=47)):
        reminders_send()
    (reminder,) = reminders()

    for channel in (Channel.EMAIL, Channel.SMS):
        message = render_message(channel, reminder.template, reminder.context)
        text = f"{message.subject}\n{message.body}"
        assert "10am" in text
        assert "Riverside Rooms" in text
        assert settings.HELPLINE_NUMBER in text
        assert "/account/sign-in/" in text
        assert_discreet(text)


def test_cancelled_appointments_get_no_reminders(appointment, practitioner) -> None:
    with at(appointment.slot.start - timedelta(hours=72)):
        appointment_cancel_by_practitioner(appointment_id=appointment.pk, by=practitioner)
    for hours in (47, 1):
        with at(appointment.slot.start - timedelta(hours=hours)):
            assert reminders_send() == 0
    assert reminders() == []


def test_a_rescheduled_appointment_gets_fresh_reminders_for_its_new_time(appointment, practitioner, episode) -> None:
    old_start = appointment.slot.start
    new_slot = SlotFactory(clinician=episode.clinician, start=old_start + timedelta(days=3))
    with at(old_start - timedelta(hours=47)):
        assert reminders_send() == 1  # the 48-hour reminder for the old time
        appointment_reschedule(appointment_id=appointment.pk, new_slot_id=new_slot.pk, by=practitioner)
    with at(old_start - timedelta(hours=1)):
        assert reminders_send() == 0  # nothing for the old time any more
    with at(new_slot.start - timedelta(hours=47)):
        assert reminders_send() == 1
    with at(new_slot.start - timedelta(hours=1)):
        assert reminders_send() == 1

    keys = [n.idempotency_key for n in reminders()]
    assert keys == [
        f"appointment-reminder:{appointment.pk}:48h:v1",
        f"appointment-reminder:{appointment.pk}:48h:v2",
        f"appointment-reminder:{appointment.pk}:2h:v2",
    ]
    newest = render_message(Channel.EMAIL, "appointment_reminder", reminders()[-1].context)
    assert when_text(new_slot.start) in newest.body


def test_an_appointment_booked_inside_a_reminder_window_skips_that_reminder(episode, practitioner) -> None:
    slot = SlotFactory(clinician=episode.clinician, start=in_days(1, 16))
    with at(slot.start - timedelta(hours=30)):
        appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=practitioner)
        assert reminders_send() == 0  # booked after its 48-hour point: the confirmation covers it
    with at(slot.start - timedelta(hours=1, minutes=30)):
        assert reminders_send() == 1
    assert [n.idempotency_key.split(":")[2] for n in reminders()] == ["2h"]


def test_the_hours_are_configurable(appointment, settings) -> None:
    settings.APPOINTMENT_REMINDER_HOURS = [24]
    with at(appointment.slot.start - timedelta(hours=47)):
        assert reminders_send() == 0
    with at(appointment.slot.start - timedelta(hours=23)):
        assert reminders_send() == 1


def test_a_site_name_that_gives_the_service_away_is_refused_in_the_admin() -> None:
    site = SiteFactory.build(name="Addiction Recovery Centre")
    with pytest.raises(Exception, match="must not say what the service is for"):
        site.full_clean()


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_of_the_job_still_send_each_reminder_once() -> None:
    episodes = [EpisodeFactory() for _ in range(6)]
    appointments = [
        appointment_book(
            slot_id=SlotFactory(clinician=e.clinician, start=in_days(5, 9 + n)).pk,
            episode_id=e.pk,
            booked_by=e.referral.user,
        )
        for n, e in enumerate(episodes)
    ]
    moment = appointments[-1].slot.start - timedelta(hours=47)
    barrier = threading.Barrier(4, timeout=30)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(reminders_send(now=moment))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sum(counts) == len(appointments)
    assert len(reminders()) == len(appointments)
    assert AppointmentReminder.objects.count() == len(appointments)
