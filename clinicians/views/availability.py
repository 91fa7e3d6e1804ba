"""The clinician's availability: weekly patterns, extra one-off times and leave.

One page shows everything; each form posts to its own URL and, if it has errors, the
page is shown again with that form's errors and what was typed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from practitioner_health.accounts.decorators import clinician_required

from .. import services
from ..access import clinician_for_user
from ..formatting import when_text
from ..forms import LeaveForm, OneOffSlotForm, PatternForm
from ..models import Clinician, Leave, Slot
from .common import no_profile


def _page(request: HttpRequest, clinician: Clinician, status: int = 200, **forms: Any) -> HttpResponse:
    context: dict[str, Any] = {
        "clinician": clinician,
        "patterns": clinician.patterns.active().select_related("site"),
        "one_off_slots": Slot.objects.open().filter(clinician=clinician, pattern__isnull=True).select_related("site"),
        "leave": Leave.objects.filter(clinician=clinician, ends_at__gt=timezone.now()),
        "pattern_form": forms.get("pattern_form") or PatternForm(clinician=clinician, prefix="pattern"),
        "slot_form": forms.get("slot_form") or OneOffSlotForm(clinician=clinician, prefix="slot"),
        "leave_form": forms.get("leave_form") or LeaveForm(prefix="leave"),
        "weeks": settings.SLOT_GENERATION_WEEKS,
        "nav": "availability",
    }
    context["forms_with_errors"] = [
        f for f in (context["pattern_form"], context["slot_form"], context["leave_form"]) if f.errors
    ]
    return render(request, "clinicians/availability.html", context, status=status)


def _clinician_or_404(request: HttpRequest) -> Clinician:
    clinician = clinician_for_user(request)
    if clinician is None:
        raise Http404
    return clinician


@clinician_required
@require_GET
def availability(request: HttpRequest) -> HttpResponse:
    clinician = clinician_for_user(request)
    if clinician is None:
        return no_profile(request)
    return _page(request, clinician)


@clinician_required
@require_POST
def availability_pattern_add(request: HttpRequest) -> HttpResponse:
    clinician = _clinician_or_404(request)
    form = PatternForm(request.POST, clinician=clinician, prefix="pattern")
    if form.is_valid():
        try:
            _, created = services.pattern_add(
                clinician_id=clinician.pk,
                weekday=form.cleaned_data["weekday"],
                start_time=form.cleaned_data["start_time"],
                length_minutes=form.cleaned_data["length_minutes"],
                site_id=form.place_site_id(),
                weeks=settings.SLOT_GENERATION_WEEKS,
            )
        except services.AvailabilityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Weekly time added: {created} appointment times are now open to book.")
            return redirect("clinicians:availability")
    return _page(request, clinician, status=400, pattern_form=form)


@clinician_required
@require_POST
def availability_pattern_end(request: HttpRequest, pk: int) -> HttpResponse:
    clinician = _clinician_or_404(request)
    if not clinician.patterns.active().filter(pk=pk).exists():
        raise Http404
    removed = services.pattern_end(pattern_id=pk)
    messages.success(request, f"Weekly time stopped. {removed} open times were removed; booked appointments stay.")
    return redirect("clinicians:availability")


@clinician_required
@require_POST
def availability_slot_add(request: HttpRequest) -> HttpResponse:
    clinician = _clinician_or_404(request)
    form = OneOffSlotForm(request.POST, clinician=clinician, prefix="slot")
    if form.is_valid():
        try:
            slot = services.slot_add(
                clinician_id=clinician.pk,
                start=form.start(),
                length_minutes=form.cleaned_data["length_minutes"],
                site_id=form.place_site_id(),
            )
        except services.AvailabilityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Extra time added: {when_text(slot.start)}.")
            return redirect("clinicians:availability")
    return _page(request, clinician, status=400, slot_form=form)


@clinician_required
@require_POST
def availability_leave_add(request: HttpRequest) -> HttpResponse:
    clinician = _clinician_or_404(request)
    form = LeaveForm(request.POST, prefix="leave")
    if form.is_valid():
        starts_at, ends_at = form.period()
        try:
            _, booked = services.leave_add(
                clinician_id=clinician.pk,
                starts_at=starts_at,
                ends_at=ends_at,
                by=request.user,  # type: ignore[arg-type]
            )
        except services.AvailabilityError as exc:
            form.add_error(None, exc.message)
        else:
            text = "Leave added. No one can book during it."
            if booked:
                text += f" {booked} booked appointments fall in it: cancel or move them from your diary."
            messages.success(request, text)
            return redirect("clinicians:availability")
    return _page(request, clinician, status=400, leave_form=form)


@clinician_required
@require_POST
def availability_leave_remove(request: HttpRequest, pk: int) -> HttpResponse:
    clinician = _clinician_or_404(request)
    if not Leave.objects.filter(pk=pk, clinician=clinician).exists():
        raise Http404
    reopened = services.leave_remove(leave_id=pk, clinician_id=clinician.pk)
    messages.success(request, f"Leave removed. {reopened} appointment times are open to book again.")
    return redirect("clinicians:availability")
