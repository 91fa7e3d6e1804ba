"""Object-level access: the wrong person gets 404 (or 403 for the wrong role) and sees nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinicians.models import AppointmentStatus, GroupKind, GroupProgramme, SessionNote
from clinicians.services import episode_discharge, session_note_add
from practitioner_health.audit.models import AuditEvent

from .factories import SlotFactory, booked, in_days

pytestmark = pytest.mark.django_db

NOTE = "Discussed the GMC letter; sleeping four hours a night."


def assert_nothing_leaked(response, *secrets: str) -> None:  # type: ignore[no-untyped-def]
    page = response.content.decode()
    for secret in secrets:
        assert secret not in page, f"{secret!r} leaked into a {response.status_code} response"


@pytest.mark.parametrize(
    "url_name",
    ["clinicians:patient", "clinicians:patient_notes", "clinicians:patient_discharge"],
)
def test_a_clinician_opening_another_clinicians_patient_gets_404(
    url_name, client_for, clinician_profile, other_episode, other_clinician
) -> None:
    session_note_add(episode_id=other_episode.pk, author=other_clinician, body=NOTE)
    referral = other_episode.referral

    response = client_for(clinician_profile.user).get(reverse(url_name, args=[other_episode.pk]))

    assert response.status_code == 404
    assert_nothing_leaked(response, referral.name, referral.reference, NOTE)
    assert not AuditEvent.objects.filter(object_id=str(other_episode.pk), detail="patient record").exists()


@pytest.mark.parametrize(
    "url_name", ["clinicians:appointment", "clinicians:appointment_scores", "clinicians:appointment_cancel"]
)
def test_a_clinician_opening_another_clinicians_appointment_gets_404(
    url_name, client_for, clinician_profile, other_episode
) -> None:
    appointment = booked(other_episode)

    response = client_for(clinician_profile.user).get(reverse(url_name, args=[appointment.pk]))

    assert response.status_code == 404
    assert_nothing_leaked(response, other_episode.referral.name, appointment.video_token)


def test_a_clinician_cannot_record_attendance_or_write_notes_for_another_clinicians_patient(
    client_for, clinician_profile, other_episode
) -> None:
    appointment = booked(other_episode, start=in_days(-1, 10))
    client = client_for(clinician_profile.user)

    attendance = client.post(reverse("clinicians:appointment_attendance", args=[appointment.pk]), {"attended": "no"})
    note = client.post(reverse("clinicians:patient_notes", args=[other_episode.pk]), {"body": "written by a stranger"})
    discharge = client.post(reverse("clinicians:patient_discharge", args=[other_episode.pk]), {"reason": "completed"})

    assert (attendance.status_code, note.status_code, discharge.status_code) == (404, 404, 404)
    appointment.refresh_from_db()
    other_episode.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not SessionNote.objects.exists()
    assert other_episode.is_active


@pytest.mark.parametrize(
    "url_name",
    [
        "clinicians:my_appointment",
        "clinicians:my_reschedule",
        "clinicians:my_cancel",
        "clinicians:my_calendar",
        "clinicians:my_questionnaires",
    ],
)
def test_a_practitioner_opening_someone_elses_appointment_gets_404(
    url_name, client_for, practitioner, other_episode
) -> None:
    appointment = booked(other_episode, start=in_days(8, 10))

    response = client_for(practitioner).get(reverse(url_name, args=[appointment.pk]))

    assert response.status_code == 404
    assert_nothing_leaked(response, other_episode.referral.name, appointment.video_token, "BEGIN:VCALENDAR")


def test_a_practitioner_cannot_cancel_or_move_someone_elses_appointment(
    client_for, practitioner, other_episode
) -> None:
    appointment = booked(other_episode, start=in_days(8, 10))
    elsewhere = SlotFactory(clinician=other_episode.clinician, start=in_days(9, 10))
    client = client_for(practitioner)

    cancel = client.post(reverse("clinicians:my_cancel", args=[appointment.pk]))
    move = client.post(reverse("clinicians:my_reschedule", args=[appointment.pk]), {"slot": elsewhere.pk})

    assert (cancel.status_code, move.status_code) == (404, 404)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED and appointment.slot_id != elsewhere.pk


def test_a_practitioner_sees_only_their_own_appointments_in_their_list(
    client_for, practitioner, episode, other_episode
) -> None:
    booked(other_episode, start=in_days(8, 10))
    mine = booked(episode, start=in_days(9, 11))

    page = client_for(practitioner).get(reverse("clinicians:my_appointments")).content.decode()

    assert reverse("clinicians:my_appointment", args=[mine.pk]) in page
    assert other_episode.clinician.display_name not in page


@pytest.mark.parametrize("role", ["handler", "commissioner", "admin_user", "practitioner"])
def test_only_clinicians_reach_session_notes(role, request, client_for, episode, clinician) -> None:
    session_note_add(episode_id=episode.pk, author=clinician, body=NOTE)
    user = request.getfixturevalue(role)

    response = client_for(user).get(reverse("clinicians:patient_notes", args=[episode.pk]))

    assert response.status_code == 403
    assert_nothing_leaked(response, NOTE, episode.referral.name)


def test_a_handlers_booking_pages_never_show_session_notes(client_for, handler, episode, clinician) -> None:
    earlier = booked(episode, start=in_days(-7, 10), status=AppointmentStatus.ATTENDED)
    appointment = booked(episode, start=in_days(6, 10))
    session_note_add(episode_id=episode.pk, author=clinician, body=NOTE, appointment_id=earlier.pk)
    client = client_for(handler)

    for url in (
        reverse("clinicians:booking_index"),
        reverse("clinicians:booking", args=[episode.pk]),
        reverse("clinicians:booking_reschedule", args=[appointment.pk]),
        reverse("clinicians:booking_cancel", args=[appointment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_nothing_leaked(response, NOTE, appointment.video_token)
        assert "notes" not in response.content.decode().lower()


def test_a_handler_cannot_book_for_a_discharged_episode(client_for, handler, episode, clinician) -> None:
    episode_discharge(episode_id=episode.pk, reason="completed", note="", by=clinician)

    assert client_for(handler).get(reverse("clinicians:booking", args=[episode.pk])).status_code == 404


def test_a_clinician_cannot_open_a_group_they_do_not_facilitate(
    client_for, clinician_profile, other_clinician_profile
) -> None:
    group = GroupProgramme.objects.create(
        name="Suspended doctors (Thursdays)", kind=GroupKind.SUSPENDED_DOCTORS, facilitator=other_clinician_profile
    )

    response = client_for(clinician_profile.user).get(reverse("clinicians:group", args=[group.pk]))

    assert response.status_code == 404
    assert_nothing_leaked(response, group.name)


def test_a_clinician_without_a_profile_is_told_to_ask_an_administrator(client_for, clinician) -> None:
    for name in ("clinicians:home", "clinicians:diary", "clinicians:availability", "clinicians:groups"):
        response = client_for(clinician).get(reverse(name))
        assert response.status_code == 200
        assert "Your clinician profile is not set up yet" in response.content.decode()


def test_reading_a_patient_record_and_its_notes_is_audited_against_the_practitioner(
    client_for, clinician_profile, episode, practitioner
) -> None:
    client = client_for(clinician_profile.user)
    client.get(reverse("clinicians:patient", args=[episode.pk]))
    client.get(reverse("clinicians:patient_notes", args=[episode.pk]))

    events = AuditEvent.objects.filter(subject=practitioner, actor=clinician_profile.user, action="view")
    assert {event.detail for event in events} >= {"patient record", "session notes"}
