"""Clinicians book, move and cancel their own patients' appointments from the patient record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinicians.models import Appointment, AppointmentStatus, SlotStatus
from clinicians.services import episode_discharge
from practitioner_health.notifications.models import Notification

from .factories import SlotFactory, booked, in_days

pytestmark = pytest.mark.django_db


def test_a_clinician_books_their_patient_from_the_record(client_for, clinician_profile, episode, clinician) -> None:
    slot = SlotFactory(clinician=clinician_profile, start=in_days(4, 14))
    client = client_for(clinician)
    url = reverse("clinicians:patient_book", args=[episode.pk])

    record = client.get(reverse("clinicians:patient", args=[episode.pk])).content.decode()
    form = client.get(url).content.decode()
    response = client.post(url, {"kind": "treatment", "slot": str(slot.pk)})

    assert url in record and f'value="{slot.pk}"' in form
    assert response.status_code == 302
    appointment = Appointment.objects.get(episode=episode)
    assert (appointment.slot_id, appointment.booked_by) == (slot.pk, clinician)
    assert Notification.objects.filter(template="appointment_booked").count() == 1


def test_a_time_taken_meanwhile_is_answered_with_the_next_times(
    client_for, clinician_profile, episode, clinician, other_practitioner
) -> None:
    slot = SlotFactory(clinician=clinician_profile, start=in_days(4, 14))
    SlotFactory(clinician=clinician_profile, start=in_days(5, 14))
    client = client_for(clinician)
    url = reverse("clinicians:patient_book", args=[episode.pk])
    client.get(url)
    slot.status = SlotStatus.BOOKED
    slot.save(update_fields=["status"])

    response = client.post(url, {"kind": "treatment", "slot": str(slot.pk)})

    assert response.status_code == 409
    assert not Appointment.objects.filter(episode=episode).exists()


def test_a_clinician_moves_and_cancels_their_patients_appointment(
    client_for, clinician_profile, episode, clinician
) -> None:
    appointment = booked(episode, start=in_days(3, 10))
    later = SlotFactory(clinician=clinician_profile, start=in_days(8, 15))
    client = client_for(clinician)

    moved = client.post(reverse("clinicians:appointment_move", args=[appointment.pk]), {"slot": str(later.pk)})
    appointment.refresh_from_db()
    cancelled = client.post(
        reverse("clinicians:appointment_cancel", args=[appointment.pk]), {"reason": "Unwell", "reopen": "yes"}
    )

    assert moved.status_code == 302 and appointment.slot_id == later.pk
    assert cancelled.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_SERVICE


def test_no_clinician_books_or_moves_for_someone_not_on_their_caseload(
    client_for, clinician_profile, episode, clinician, other_clinician, other_clinician_profile
) -> None:
    SlotFactory(clinician=other_clinician_profile, start=in_days(4, 14))
    appointment = booked(episode, start=in_days(3, 10))
    outsider = client_for(other_clinician)

    book = outsider.get(reverse("clinicians:patient_book", args=[episode.pk]))
    move = outsider.get(reverse("clinicians:appointment_move", args=[appointment.pk]))

    assert (book.status_code, move.status_code) == (404, 404)
    assert "Dr Avery Example" not in book.content.decode() + move.content.decode()


def test_a_discharged_patient_cannot_be_booked_by_their_former_clinician(
    client_for, clinician_profile, episode, clinician
) -> None:
    slot = SlotFactory(clinician=clinician_profile, start=in_days(4, 14))
    episode_discharge(episode_id=episode.pk, reason="completed", note="Done", by=clinician)

    response = client_for(clinician).post(
        reverse("clinicians:patient_book", args=[episode.pk]), {"kind": "treatment", "slot": str(slot.pk)}
    )

    assert response.status_code == 404
    assert not Appointment.objects.exists()
