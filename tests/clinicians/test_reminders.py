"""Reminders before appointments: right times, right channel, discreet, exactly once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinicians.formatting import when_text
from clinicians.models import Appointment, AppointmentReminder, Site
from clinicians.services import (
    appointment_book,
    appointment_cancel_by_practitioner,
    appointment_reschedule,
    reminders_send,
)
from clinicians.tasks import send_reminders
from practitioner_health.notifications.messages import render_message
from practitioner_health.notifications.models import Channel, Notification, Status
from practitioner_health.notifications.services import notification_send, notifications_sweep
from practitioner_health.notifications.tasks import send_notifications
from referrals.models import Referral
from tests.factories import ReferralFactory
from tests.support.celery_worker import running_worker, wait_until

from .factories import EpisodeFactory, SiteFactory, SlotFactory, booked, in_days
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
    referral = ReferralFactory(
        in_care=True, user=practitioner, texts_ok=True, voicemail_ok=True, mobile="+447700900123"
    )
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


def four_runs_at_once(job: Callable[[], int]) -> list[int]:
    """Four threads start `job` at the same moment, as overlapping beat runs would; its results."""
    barrier = threading.Barrier(4, timeout=30)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(job())
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
    return counts


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
    counts = four_runs_at_once(lambda: reminders_send(now=moment))

    assert sum(counts) == len(appointments)
    assert len(reminders()) == len(appointments)
    assert AppointmentReminder.objects.count() == len(appointments)


def due_together(count: int, *, start: datetime, site: Site | None = None) -> list[Appointment]:
    """`count` (up to 60) appointments for different practitioners, a minute apart from `start`,
    booked days before: 47 hours before `start` the 48-hour reminder is due for all of them.
    Even ones go by text, odd ones by email; every third is at `site`."""
    return [
        booked(
            EpisodeFactory(referral=ReferralFactory(in_care=True, texts_ok=n % 2 == 0)),
            start=start + timedelta(minutes=n),
            site=site if n % 3 == 0 else None,
            booked_at=start - timedelta(days=4),
        )
        for n in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_working_in_small_chunks_still_send_each_reminder_once() -> None:
    appointments = due_together(14, start=in_days(5, 9))
    moment = appointments[0].slot.start - timedelta(hours=47)
    counts = four_runs_at_once(lambda: reminders_send(now=moment, chunk_size=3))

    assert sum(counts) == len(appointments)
    assert sorted(n.idempotency_key for n in reminders()) == sorted(
        f"appointment-reminder:{a.pk}:48h:v1" for a in appointments
    )
    assert AppointmentReminder.objects.count() == len(appointments)
    assert reminders_send(now=moment, chunk_size=3) == 0


def test_a_refused_message_is_logged_by_id_and_does_not_stop_the_rest_of_its_chunk(caplog) -> None:  # type: ignore[no-untyped-def]
    site = SiteFactory(name="Addiction Recovery Centre")  # past the admin's check, as a bad import might be
    appointments = due_together(5, start=in_days(5, 9), site=site)
    refused = [a for a in appointments if a.slot.site_id is not None]
    moment = appointments[0].slot.start - timedelta(hours=47)

    with caplog.at_level(logging.WARNING, logger="clinicians.services.reminders"):
        assert reminders_send(now=moment) == len(appointments) - len(refused)

    queued = {a.pk for a in appointments} - {a.pk for a in refused}
    assert set(AppointmentReminder.objects.values_list("appointment_id", flat=True)) == queued
    assert {int(n.idempotency_key.split(":")[1]) for n in reminders()} == queued
    logged = [record.getMessage() for record in caplog.records]
    assert logged == [f"Reminder for appointment {a.pk} refused by the discretion check" for a in refused]

    # Fixed in the admin: the next run sends what was refused, and nothing twice.
    Site.objects.filter(pk=site.pk).update(name="Quayside Rooms")
    assert reminders_send(now=moment) == len(refused)
    assert AppointmentReminder.objects.count() == len(reminders()) == len(appointments)


def test_reminders_follow_each_practitioners_contact_preferences_in_a_batch() -> None:
    appointments = due_together(4, start=in_days(5, 9))
    no_email = appointments[3].episode.referral  # by email, with none of its own: the account's address
    Referral.objects.filter(pk=no_email.pk).update(email="")
    reminders_send(now=appointments[0].slot.start - timedelta(hours=47))

    by_appointment = {int(n.idempotency_key.split(":")[1]): n for n in reminders()}
    for appointment in appointments:
        referral = appointment.episode.referral
        sent = by_appointment[appointment.pk]
        if referral.texts_ok:
            assert (sent.channel, sent.recipient) == (Channel.SMS, referral.mobile)
        elif referral.pk == no_email.pk:
            assert (sent.channel, sent.recipient) == (Channel.EMAIL, referral.user.email)
        else:
            assert (sent.channel, sent.recipient) == (Channel.EMAIL, referral.email)
        assert sent.subject_id == referral.user_id
    assert not Notification.objects.filter(channel=Channel.VOICE).exists()


def test_a_chunk_takes_the_same_number_of_queries_however_many_appointments_are_due(site) -> None:  # type: ignore[no-untyped-def]
    def queries_for(count: int, start: datetime) -> int:
        appointments = due_together(count, start=start, site=site)
        # One practitioner without an email of their own: the account's address is looked up too.
        referral = appointments[1].episode.referral
        Referral.objects.filter(pk=referral.pk).update(email="")
        with CaptureQueriesContext(connection) as queries:
            assert reminders_send(now=start - timedelta(hours=47)) == count
        return len(queries)

    few = queries_for(3, in_days(5, 9))
    many = queries_for(30, in_days(9, 9))
    assert few == many
    assert many <= 12


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_reminders_are_delivered_once_each_through_a_real_worker(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now() + timedelta(hours=47)
    appointments = due_together(5, start=start)
    texts = [a for a in appointments if a.episode.referral.texts_ok]
    with running_worker():
        assert reminders_send() == len(appointments)

        def all_sent() -> bool:
            close_old_connections()
            return not Notification.objects.exclude(status=Status.SENT).exists()

        wait_until(all_sent)
        assert reminders_send() == 0
        assert notifications_sweep() == 0

    # A duplicate of the batch (the sweep, a redelivery) finds every message already sent.
    ids = [n.pk for n in reminders()]
    assert send_notifications.apply(args=[ids]).get() == {Status.SENT: len(appointments)}
    assert sorted(m.form["To"] for m in fake_twilio.messages()) == sorted(a.episode.referral.mobile for a in texts)
    assert len(mail.outbox) == len(appointments) - len(texts)
