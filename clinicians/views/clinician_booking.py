"""Clinicians booking, moving and cancelling their own patients' appointments, with the same
race-safe booking service the helpline uses. Only a patient on the clinician's caseload (an
active episode of theirs) can be booked for; anyone else's is 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from practitioner_health.accounts.decorators import clinician_required
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from .. import selectors, services
from ..access import get_appointment_for_clinician, get_episode_for_clinician
from ..forms import HandlerBookingForm, SlotChoiceForm
from ..models import Appointment, AppointmentStatus, CareEpisode, Slot
from .common import choose_slot

OFFERED_SLOTS = 60


def _offer(clinician_id: int, exclude: int | None = None) -> list[Slot]:
    slots = selectors.open_slots(clinician_id=clinician_id)
    if exclude is not None:
        slots = slots.exclude(pk=exclude)
    return list(slots[:OFFERED_SLOTS])


def get_caseload_episode_for_clinician(request: HttpRequest, pk: int) -> CareEpisode:
    """An episode on this clinician's caseload now (not discharged); 404 otherwise."""
    episode = get_episode_for_clinician(request, pk)
    if not episode.is_active:
        raise Http404
    return episode


def get_caseload_appointment_for_clinician(request: HttpRequest, pk: int) -> Appointment:
    appointment = get_appointment_for_clinician(request, pk)
    if not appointment.episode.is_active:
        raise Http404
    return appointment


@clinician_required
@require_http_methods(["GET", "POST"])
def patient_book(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_caseload_episode_for_clinician(request, pk)

    def book(form: SlotChoiceForm) -> HttpResponse:
        services.appointment_book(
            slot_id=form.chosen_slot_id,
            episode_id=episode.pk,
            booked_by=request.user,  # type: ignore[arg-type]
            kind=form.cleaned_data["kind"],
        )
        messages.success(request, "Appointment booked. They have been sent the details.")
        return redirect("clinicians:patient", pk=episode.pk)

    choice = choose_slot(
        request,
        clinician_id=episode.clinician_id,
        offer=lambda: _offer(episode.clinician_id),
        act=book,
        form_class=HandlerBookingForm,
    )
    if choice.done:
        return choice.done
    audit_record(action=Action.VIEW, obj=episode, subject_id=episode.referral.user_id, detail="clinician booking")
    return render(
        request,
        "clinicians/patient_book.html",
        {
            "episode": episode,
            "referral": episode.referral,
            "form": choice.form,
            "taken": choice.taken,
            "nav": "caseload",
        },
        status=choice.status,
    )


@clinician_required
@require_http_methods(["GET", "POST"])
def appointment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one of their patient's booked appointments to another of the clinician's open times."""
    appointment = get_caseload_appointment_for_clinician(request, pk)
    episode = appointment.episode
    if appointment.status != AppointmentStatus.BOOKED or not appointment.is_upcoming:
        messages.info(request, "Only an upcoming booked appointment can be moved.")
        return redirect("clinicians:appointment", pk=appointment.pk)

    def move(form: SlotChoiceForm) -> HttpResponse:
        services.appointment_reschedule(
            appointment_id=appointment.pk,
            new_slot_id=form.chosen_slot_id,
            by=request.user,  # type: ignore[arg-type]
            enforce_cutoff=False,
        )
        messages.success(request, "Appointment moved. They have been sent the new time.")
        return redirect("clinicians:patient", pk=episode.pk)

    choice = choose_slot(
        request,
        clinician_id=episode.clinician_id,
        offer=lambda: _offer(episode.clinician_id, exclude=appointment.slot_id),
        act=move,
        label="Choose a new time",
    )
    if choice.done:
        return choice.done
    audit_record(action=Action.VIEW, obj=appointment, subject_id=episode.referral.user_id, detail="clinician booking")
    return render(
        request,
        "clinicians/appointment_move.html",
        {
            "appointment": appointment,
            "episode": episode,
            "referral": episode.referral,
            "form": choice.form,
            "taken": choice.taken,
            "nav": "caseload",
        },
        status=choice.status,
    )
