"""Appointments and callbacks through the API: the booking service's rules, only my own objects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinicians.models import Appointment, AppointmentStatus, SlotStatus
from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action, AuditEvent
from tests.clinicians.factories import SlotFactory, booked, episode_for, in_days
from triage.models import Callback, CallbackReason

pytestmark = pytest.mark.django_db


def test_my_appointments_are_listed_upcoming_first_and_the_read_is_audited(  # type: ignore[no-untyped-def]
    api_for, practitioner: User, clinician: User, other_practitioner: User, django_assert_max_num_queries
) -> None:
    episode = episode_for(practitioner, clinician)
    for day in range(6, 16):
        booked(
            episode,
            start=in_days(day, 10),
            status=AppointmentStatus.CANCELLED_BY_PRACTITIONER,
            cancelled_at=timezone.now(),
        )
    upcoming = booked(episode, start=in_days(4, 9))
    booked(episode_for(other_practitioner))
    client = api_for(practitioner)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/me/appointments")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 11 and rows[0]["id"] == upcoming.pk and rows[0]["changeable"]
    assert rows[0]["video"] and rows[0]["place"] == "by video" and rows[0]["video_link"] is None
    assert AuditEvent.objects.filter(actor=practitioner, detail="own appointments (app)").exists()


def test_i_book_one_of_my_clinicians_open_slots(api_for, practitioner: User, clinician: User) -> None:  # type: ignore[no-untyped-def]
    episode = episode_for(practitioner, clinician)
    slot = SlotFactory(clinician=episode.clinician, start=in_days(7, 10))
    elsewhere = SlotFactory(start=in_days(7, 11))
    client = api_for(practitioner)
    offered = client.get("/api/v1/me/appointments/open-slots").json()
    assert [s["id"] for s in offered] == [slot.pk]

    wrong = client.post("/api/v1/me/appointments", {"slot_id": elsewhere.pk}, format="json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "booking_refused"
    response = client.post("/api/v1/me/appointments", {"slot_id": slot.pk}, format="json")
    assert response.status_code == 201
    appointment = Appointment.objects.get(pk=response.json()["id"])
    assert appointment.episode == episode and appointment.booked_by == practitioner
    slot.refresh_from_db()
    assert slot.status == SlotStatus.BOOKED
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(appointment.pk), actor=practitioner).exists()
    second = client.post("/api/v1/me/appointments", {"slot_id": slot.pk}, format="json")
    assert second.status_code == 409


def test_a_slot_taken_a_moment_earlier_is_409_with_other_times(  # type: ignore[no-untyped-def]
    api_for, practitioner: User, other_practitioner: User, clinician: User
) -> None:
    mine = episode_for(practitioner, clinician)
    theirs = episode_for(other_practitioner, clinician)
    slot = SlotFactory(clinician=mine.clinician, start=in_days(7, 10))
    spare = SlotFactory(clinician=mine.clinician, start=in_days(8, 10))
    assert (
        api_for(other_practitioner).post("/api/v1/me/appointments", {"slot_id": slot.pk}, format="json").status_code
        == 201
    )
    assert theirs.appointments.count() == 1
    response = api_for(practitioner).post("/api/v1/me/appointments", {"slot_id": slot.pk}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "slot_taken" and [s["id"] for s in body["next_slots"]] == [spare.pk]


def test_without_a_clinician_there_is_nothing_to_book(api_for, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    client = api_for(practitioner)
    assert client.get("/api/v1/me/appointments/open-slots").json()["code"] == "no_clinician"
    response = client.post("/api/v1/me/appointments", {"slot_id": 1}, format="json")
    assert response.status_code == 409
    assert client.post("/api/v1/me/appointments", {"slot_id": "soon"}, format="json").status_code == 422


def test_reschedule_and_cancel_before_the_cut_off(api_for, practitioner: User, clinician: User) -> None:  # type: ignore[no-untyped-def]
    episode = episode_for(practitioner, clinician)
    appointment = booked(episode, start=in_days(5, 10))
    old_slot = appointment.slot
    new_slot = SlotFactory(clinician=episode.clinician, start=in_days(6, 14))
    client = api_for(practitioner)

    response = client.post(
        f"/api/v1/me/appointments/{appointment.pk}/reschedule", {"slot_id": new_slot.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["start"].startswith(str(new_slot.start.date()))
    old_slot.refresh_from_db()
    assert old_slot.status == SlotStatus.OPEN

    response = client.post(f"/api/v1/me/appointments/{appointment.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == AppointmentStatus.CANCELLED_BY_PRACTITIONER
    again = client.post(f"/api/v1/me/appointments/{appointment.pk}/cancel")
    assert again.status_code == 409


def test_inside_the_cut_off_changes_are_refused_with_409(api_for, practitioner: User, clinician: User) -> None:  # type: ignore[no-untyped-def]
    episode = episode_for(practitioner, clinician)
    soon = booked(episode, start=timezone.now() + timedelta(hours=3))
    spare = SlotFactory(clinician=episode.clinician, start=in_days(6, 14))
    client = api_for(practitioner)
    response = client.post(f"/api/v1/me/appointments/{soon.pk}/cancel")
    assert response.status_code == 409 and response.json()["code"] == "too_late_to_change"
    response = client.post(f"/api/v1/me/appointments/{soon.pk}/reschedule", {"slot_id": spare.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "too_late_to_change"
    soon.refresh_from_db()
    assert soon.status == AppointmentStatus.BOOKED


def test_another_practitioners_appointment_is_404_everywhere(  # type: ignore[no-untyped-def]
    api_for, practitioner: User, other_practitioner: User, clinician: User
) -> None:
    episode_for(practitioner, clinician)
    theirs = booked(episode_for(other_practitioner, clinician))
    spare = SlotFactory(clinician=theirs.episode.clinician, start=in_days(9, 10))
    client = api_for(practitioner)
    base = f"/api/v1/me/appointments/{theirs.pk}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/calendar.ics").status_code == 404
    assert client.post(f"{base}/cancel").status_code == 404
    assert client.post(f"{base}/reschedule", {"slot_id": spare.pk}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.BOOKED


def test_one_appointment_and_its_calendar_file(api_for, practitioner: User, clinician: User) -> None:  # type: ignore[no-untyped-def]
    appointment = booked(episode_for(practitioner, clinician))
    client = api_for(practitioner)
    assert client.get(f"/api/v1/me/appointments/{appointment.pk}").json()["id"] == appointment.pk
    response = client.get(f"/api/v1/me/appointments/{appointment.pk}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.content and b"SUMMARY:Appointment" in response.content
    asked = client.get(f"/api/v1/me/appointments/{appointment.pk}/calendar.ics", HTTP_ACCEPT="text/calendar")
    assert asked.status_code == 200
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(appointment.pk)).exists()


def test_i_ask_for_a_callback_in_a_window(api_for, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import ReferralFactory

    referral = ReferralFactory(in_care=True, user=practitioner, status="new")
    day = timezone.localdate() + timedelta(days=2)
    if day.weekday() == 6:
        day += timedelta(days=1)
    client = api_for(practitioner)
    response = client.post("/api/v1/me/callbacks", {"day": day.isoformat(), "window": "evening"}, format="json")
    assert response.status_code == 201
    callback = Callback.objects.get(referral=referral)
    assert callback.reason == CallbackReason.PRACTITIONER and timezone.localtime(callback.window_end).hour == 20

    sunday = day + timedelta(days=(6 - day.weekday()) % 7 or 7)
    refused = client.post("/api/v1/me/callbacks", {"day": sunday.isoformat(), "window": "morning"}, format="json")
    assert refused.status_code == 422 and "Sundays" in refused.json()["fields"]["day"][0]
    assert client.post("/api/v1/me/callbacks", {"day": "soon", "window": "dawn"}, format="json").status_code == 422


def test_a_callback_needs_an_open_referral(api_for, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    response = api_for(practitioner).post(
        "/api/v1/me/callbacks", {"day": "2030-01-01", "window": "morning"}, format="json"
    )
    assert response.status_code == 404
