"""The practitioner's own appointments: list, book, move, cancel, calendar file, questionnaires.

Every page that takes an id checks the appointment is theirs (404 otherwise).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from practitioner_health.accounts.decorators import practitioner_required
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from selfhelp.questionnaires import URGENT_GUIDANCE

from .. import selectors, services
from ..access import get_appointment_for_practitioner, user_id
from ..calendar import appointment_ics
from ..forms import QuestionnaireForm, SlotChoiceForm
from ..models import Appointment, AppointmentKind, CareEpisode, Slot
from .common import choose_slot

# How many open times to offer on one page: enough for several weeks of a clinician's diary.
OFFERED_SLOTS = 60


def _offer(episode: CareEpisode, exclude: int | None = None) -> list[Slot]:
    slots = selectors.open_slots(clinician_id=episode.clinician_id)
    if exclude is not None:
        slots = slots.exclude(pk=exclude)
    return list(slots[:OFFERED_SLOTS])


def _decorate(appointments: list[Appointment]) -> list[Appointment]:
    # Worked out once here so templates need no logic about cut-offs or times.
    for appointment in appointments:
        setattr(appointment, "changeable", appointment.changeable_by_practitioner())  # noqa: B010
        setattr(appointment, "questionnaires_due", selectors.questionnaires_due(appointment))  # noqa: B010
        setattr(appointment, "show_video_link", appointment.video_link_open())  # noqa: B010
    return appointments


@practitioner_required
@require_GET
def my_appointments(request: HttpRequest) -> HttpResponse:
    episode = selectors.practitioner_episode(user_id(request))
    upcoming, past = selectors.practitioner_appointments(user_id(request))
    audit_record(
        action=Action.VIEW, object_type="clinicians.appointment", subject_id=user_id(request), detail="own appointments"
    )
    return render(
        request,
        "clinicians/my_appointments.html",
        {
            "episode": episode,
            "upcoming": _decorate(upcoming),
            "past": past,
            "cutoff_hours": settings.BOOKING_CANCEL_CUTOFF_HOURS,
        },
    )


@practitioner_required
@require_http_methods(["GET", "POST"])
def my_book(request: HttpRequest) -> HttpResponse:
    """Book a time with their own clinician. A time taken by someone else a moment earlier
    gives a clear message and the next available times, never an error page."""
    episode = selectors.practitioner_episode(user_id(request))
    if episode is None:
        return render(request, "clinicians/my_book.html", {"episode": None})
    if episode.appointments.upcoming().exists():
        messages.info(request, "You already have an appointment booked. You can change it here.")
        return redirect("clinicians:my_appointments")

    def book(form: SlotChoiceForm) -> HttpResponse:
        appointment = services.appointment_book(
            slot_id=form.chosen_slot_id,
            episode_id=episode.pk,
            booked_by=request.user,  # type: ignore[arg-type]
            only_one_upcoming=True,
        )
        messages.success(request, "Your appointment is booked.")
        return redirect("clinicians:my_appointment", pk=appointment.pk)

    choice = choose_slot(request, clinician_id=episode.clinician_id, offer=lambda: _offer(episode), act=book)
    if choice.done:
        return choice.done
    return render(
        request,
        "clinicians/my_book.html",
        {"episode": episode, "form": choice.form, "taken": choice.taken},
        status=choice.status,
    )


@practitioner_required
@require_GET
def my_appointment(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_practitioner(request, pk)
    audit_record(action=Action.VIEW, obj=appointment, subject_id=user_id(request), detail="own appointment")
    _decorate([appointment])
    return render(
        request,
        "clinicians/my_appointment.html",
        {"appointment": appointment, "cutoff_hours": settings.BOOKING_CANCEL_CUTOFF_HOURS},
    )


def _too_late(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    return render(
        request,
        "clinicians/my_too_late.html",
        {"appointment": appointment, "cutoff_hours": settings.BOOKING_CANCEL_CUTOFF_HOURS},
    )


@practitioner_required
@require_http_methods(["GET", "POST"])
def my_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_practitioner(request, pk)
    if not appointment.changeable_by_practitioner():
        return _too_late(request, appointment)
    episode = appointment.episode

    def move(form: SlotChoiceForm) -> HttpResponse:
        try:
            services.appointment_reschedule(
                appointment_id=appointment.pk,
                new_slot_id=form.chosen_slot_id,
                by=request.user,  # type: ignore[arg-type]
            )
        except services.TooLateToChangeError:
            return _too_late(request, appointment)
        messages.success(request, "Your appointment has been moved.")
        return redirect("clinicians:my_appointment", pk=appointment.pk)

    choice = choose_slot(
        request,
        clinician_id=episode.clinician_id,
        offer=lambda: _offer(episode, exclude=appointment.slot_id),
        act=move,
        label="Choose a new time",
    )
    if choice.done:
        return choice.done
    return render(
        request,
        "clinicians/my_book.html",
        {"episode": episode, "form": choice.form, "taken": choice.taken, "moving": appointment},
        status=choice.status,
    )


@practitioner_required
@require_http_methods(["GET", "POST"])
def my_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_practitioner(request, pk)
    if not appointment.changeable_by_practitioner():
        return _too_late(request, appointment)
    if request.method == "POST":
        try:
            services.appointment_cancel_by_practitioner(
                appointment_id=appointment.pk,
                by=request.user,  # type: ignore[arg-type]
            )
        except services.TooLateToChangeError:
            return _too_late(request, appointment)
        except services.BookingError as exc:
            messages.error(request, exc.message)
            return redirect("clinicians:my_appointment", pk=appointment.pk)
        messages.success(request, "Your appointment has been cancelled.")
        return redirect("clinicians:my_appointments")
    return render(request, "clinicians/my_cancel.html", {"appointment": appointment})


@practitioner_required
@require_GET
def my_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_practitioner(request, pk)
    audit_record(action=Action.EXPORT, obj=appointment, subject_id=user_id(request), detail="calendar file")
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@practitioner_required
@require_http_methods(["GET", "POST"])
def my_questionnaires(request: HttpRequest, pk: int) -> HttpResponse:
    """PHQ-9 and GAD-7 before a treatment appointment; the scores go on that appointment's record."""
    appointment = get_appointment_for_practitioner(request, pk)
    if appointment.kind != AppointmentKind.TREATMENT or not appointment.is_upcoming:
        messages.info(request, "Questionnaires are only asked for before an upcoming treatment appointment.")
        return redirect("clinicians:my_appointment", pk=appointment.pk)
    existing = selectors.outcome_for(appointment.pk)
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None, initial_answers={c: o.answers for c, o in existing.items()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcomes = services.outcomes_record(
                appointment_id=appointment.pk,
                answers=form.answers(),
                recorded_by=request.user,  # type: ignore[arg-type]
            )
        except services.CareError as exc:
            form.add_error(None, exc.message)
        else:
            urgent = any(outcome.urgent for outcome in outcomes)
            return render(
                request,
                "clinicians/my_questionnaires_done.html",
                {"appointment": appointment, "urgent": urgent, "urgent_guidance": URGENT_GUIDANCE},
            )
    audit_record(action=Action.VIEW, obj=appointment, subject_id=user_id(request), detail="own questionnaires")
    return render(
        request,
        "clinicians/my_questionnaires.html",
        {"appointment": appointment, "form": form},
        status=400 if form.errors else 200,
    )
