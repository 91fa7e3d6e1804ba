from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import services
from ..forms import ServiceCancelForm, SlotChoiceForm
from ..models import Appointment, Slot
from ..selectors import next_open_slots
from ..services import BookingError, SlotTakenError


def no_profile(request: HttpRequest) -> HttpResponse:
    """A clinician account whose profile a service administrator has not set up yet."""
    return render(request, "clinicians/no_profile.html", {"nav": ""})


def taken_before_submit(request: HttpRequest, *, clinician_id: int, offered: list[Slot]) -> SlotTakenError | None:
    """A posted time of this clinician that is no longer on offer was taken (or closed) after
    the page was shown: answer as for a lost race, not with a bare "choose a time"."""
    value = request.POST.get("slot", "")
    if not value.isdigit() or int(value) in {slot.pk for slot in offered}:
        return None
    if not Slot.objects.filter(pk=int(value), clinician_id=clinician_id).exists():
        return None
    return SlotTakenError(next_open_slots(clinician_id=clinician_id, exclude_slot_id=int(value)))


@dataclass
class SlotChoice:
    """The outcome of a page where someone picks a time: the form to show, a lost race to
    explain (`taken`), the status code, or `done` (the response after success)."""

    form: SlotChoiceForm
    taken: SlotTakenError | None = None
    status: int = 200
    done: HttpResponse | None = None


def choose_slot(
    request: HttpRequest,
    *,
    clinician_id: int,
    offer: Callable[[], list[Slot]],
    act: Callable[[SlotChoiceForm], HttpResponse],
    form_class: type[SlotChoiceForm] = SlotChoiceForm,
    **form_kwargs: Any,
) -> SlotChoice:
    """Show the open times; on POST call `act` (one service call) with the valid form.

    Whoever loses a race for a time, before the page was sent or during the booking, gets
    409 with the next open times and a fresh list to pick from.
    """
    offered = offer()
    form = form_class(request.POST if request.method == "POST" else None, slots=offered, **form_kwargs)
    if request.method != "POST":
        return SlotChoice(form=form)
    taken = taken_before_submit(request, clinician_id=clinician_id, offered=offered)
    if taken is None and form.is_valid():
        try:
            return SlotChoice(form=form, done=act(form))
        except SlotTakenError as exc:
            taken = exc
        except BookingError as exc:
            form.add_error(None, exc.message)
    if taken is not None:
        fresh = form_class(slots=offer(), initial=dict(form.data.items()), **form_kwargs)
        return SlotChoice(form=fresh, taken=taken, status=409)
    return SlotChoice(form=form, status=400)


def service_cancel(
    request: HttpRequest, appointment: Appointment, *, back_href: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    """The service cancels an appointment (clinician or handler): a reason is kept, no cut-off.

    The caller has already checked role and object; on success it returns to `back_href`.
    """
    form = ServiceCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel_by_service(
                appointment_id=appointment.pk,
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
                reopen_slot=form.cleaned_data["reopen"] == "yes",
            )
        except services.BookingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Appointment cancelled. The practitioner has been sent a message.")
            return redirect(back_href)
    context = {
        "appointment": appointment,
        "referral": appointment.episode.referral,
        "form": form,
        "back_href": back_href,
        **(extra or {}),
    }
    return render(request, "clinicians/service_cancel.html", context, status=400 if form.errors else 200)
