"""Helpline handlers booking for practitioners: times, places and statuses only, never notes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from practitioner_health.accounts.decorators import handler_required
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from .. import selectors, services
from ..access import get_appointment_for_handler, get_episode_for_handler
from ..forms import HandlerBookingForm, SlotChoiceForm
from ..models import AppointmentStatus, Slot
from .common import choose_slot, service_cancel

OFFERED_SLOTS = 60


@handler_required
@require_GET
def booking_index(request: HttpRequest) -> HttpResponse:
    episodes = list(selectors.handler_episodes())
    audit_record(action=Action.VIEW, object_type="clinicians.careepisode", detail="booking list")
    return render(request, "clinicians/booking_index.html", {"episodes": episodes})


def _offer(clinician_id: int, exclude: int | None = None) -> list[Slot]:
    slots = selectors.open_slots(clinician_id=clinician_id)
    if exclude is not None:
        slots = slots.exclude(pk=exclude)
    return list(slots[:OFFERED_SLOTS])


@handler_required
@require_http_methods(["GET", "POST"])
def booking(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for_handler(request, pk)

    def book(form: SlotChoiceForm) -> HttpResponse:
        services.appointment_book(
            slot_id=form.chosen_slot_id,
            episode_id=episode.pk,
            booked_by=request.user,  # type: ignore[arg-type]
            kind=form.cleaned_data["kind"],
        )
        messages.success(request, "Appointment booked. The practitioner has been sent the details.")
        return redirect("clinicians:booking", pk=episode.pk)

    choice = choose_slot(
        request,
        clinician_id=episode.clinician_id,
        offer=lambda: _offer(episode.clinician_id),
        act=book,
        form_class=HandlerBookingForm,
    )
    if choice.done:
        return choice.done
    audit_record(action=Action.VIEW, obj=episode, subject_id=episode.referral.user_id, detail="booking")
    return render(
        request,
        "clinicians/booking.html",
        {
            "episode": episode,
            "referral": episode.referral,
            "appointments": selectors.episode_appointments(episode_id=episode.pk),
            "form": choice.form,
            "taken": choice.taken,
        },
        status=choice.status,
    )


@handler_required
@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an appointment on the practitioner's behalf (no cut-off: they are on the phone)."""
    appointment = get_appointment_for_handler(request, pk)
    episode = appointment.episode
    if appointment.status != AppointmentStatus.BOOKED:
        messages.info(request, "Only a booked appointment can be moved.")
        return redirect("clinicians:booking", pk=episode.pk)

    def move(form: SlotChoiceForm) -> HttpResponse:
        services.appointment_reschedule(
            appointment_id=appointment.pk,
            new_slot_id=form.chosen_slot_id,
            by=request.user,  # type: ignore[arg-type]
            enforce_cutoff=False,
        )
        messages.success(request, "Appointment moved. The practitioner has been sent the new time.")
        return redirect("clinicians:booking", pk=episode.pk)

    choice = choose_slot(
        request,
        clinician_id=episode.clinician_id,
        offer=lambda: _offer(episode.clinician_id, exclude=appointment.slot_id),
        act=move,
        label="Choose a new time",
    )
    if choice.done:
        return choice.done
    audit_record(action=Action.VIEW, obj=appointment, subject_id=episode.referral.user_id, detail="booking")
    return render(
        request,
        "clinicians/booking_reschedule.html",
        {
            "appointment": appointment,
            "episode": episode,
            "referral": episode.referral,
            "form": choice.form,
            "taken": choice.taken,
        },
        status=choice.status,
    )


@handler_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_handler(request, pk)
    back = reverse("clinicians:booking", args=[appointment.episode_id])
    return service_cancel(request, appointment, back_href=back)
