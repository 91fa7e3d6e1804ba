"""The practitioner's appointments with their own clinician, and callback requests.

Booking rules (one slot booked once, the cut-off, one upcoming appointment at a time) are
the clinicians app's services; this module only finds the practitioner's own objects.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from clinicians import selectors as clinician_selectors
from clinicians import services as clinician_services
from clinicians.calendar import appointment_ics
from clinicians.models import Appointment, CareEpisode
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from triage.forms import CallbackRequestForm
from triage.models import CallbackReason
from triage.selectors import callback_target_for
from triage.services.callbacks import callback_request

from ..errors import ApiError, ValidationFailed
from ..renderers import CalendarRenderer
from ..serializers import (
    AppointmentSerializer,
    CallbackRequestSerializer,
    CallbackSerializer,
    SlotChoiceSerializer,
    SlotSerializer,
)
from .base import PractitionerView, errors, form_errors, valid

# As on the website: enough open times for several weeks of a clinician's diary.
OFFERED_SLOTS = 60
NO_CLINICIAN = "You do not have a clinician yet. We will contact you to arrange your first appointment."


def get_appointment_for_practitioner(view: PractitionerView, pk: int) -> Appointment:
    """The practitioner's own appointment; 404 for anyone else's."""
    appointment = (
        Appointment.objects.filter(pk=pk, episode__referral__user_id=view.practitioner.pk)
        .with_slot()
        .select_related("episode__referral", "episode__clinician__user")
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def get_episode_for_practitioner(view: PractitionerView) -> CareEpisode:
    episode = clinician_selectors.practitioner_episode(view.practitioner.pk)
    if episode is None:
        raise ApiError(status.HTTP_409_CONFLICT, "no_clinician", NO_CLINICIAN)
    return episode


class MyAppointmentsView(PractitionerView):
    @extend_schema(
        operation_id="me_appointments_list",
        responses={200: AppointmentSerializer(many=True), **errors(401, 403)},
        summary="Upcoming appointments soonest first, then past and cancelled ones, most recent first.",
    )
    def get(self, request: Request) -> Response:
        upcoming, past = clinician_selectors.practitioner_appointments(self.practitioner.pk)
        audit_record(
            action=Action.VIEW,
            object_type="clinicians.appointment",
            subject_id=self.practitioner.pk,
            detail="own appointments (app)",
        )
        return Response(AppointmentSerializer([*upcoming, *past], many=True).data)

    @extend_schema(
        operation_id="me_appointments_book",
        request=SlotChoiceSerializer,
        responses={201: AppointmentSerializer, **errors(400, 401, 403, 409, 422)},
        summary="Book one of my clinician's open slots.",
    )
    def post(self, request: Request) -> Response:
        data = valid(SlotChoiceSerializer, request.data)
        episode = get_episode_for_practitioner(self)
        appointment = clinician_services.appointment_book(
            slot_id=data["slot_id"], episode_id=episode.pk, booked_by=self.practitioner, only_one_upcoming=True
        )
        appointment = get_appointment_for_practitioner(self, appointment.pk)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class MyOpenSlotsView(PractitionerView):
    @extend_schema(
        operation_id="me_open_slots",
        responses={200: SlotSerializer(many=True), **errors(401, 403, 409)},
        summary="Open times with my clinician.",
    )
    def get(self, request: Request) -> Response:
        episode = get_episode_for_practitioner(self)
        slots = list(clinician_selectors.open_slots(clinician_id=episode.clinician_id)[:OFFERED_SLOTS])
        return Response(SlotSerializer(slots, many=True).data)


class MyAppointmentView(PractitionerView):
    @extend_schema(operation_id="me_appointments_read", responses={200: AppointmentSerializer, **errors(401, 403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        appointment = get_appointment_for_practitioner(self, pk)
        audit_record(
            action=Action.VIEW, obj=appointment, subject_id=self.practitioner.pk, detail="own appointment (app)"
        )
        return Response(AppointmentSerializer(appointment).data)


class MyRescheduleView(PractitionerView):
    @extend_schema(
        operation_id="me_appointments_reschedule",
        request=SlotChoiceSerializer,
        responses={200: AppointmentSerializer, **errors(400, 401, 403, 404, 409, 422)},
        summary="Move to another open slot with the same clinician (before the cut-off).",
    )
    def post(self, request: Request, pk: int) -> Response:
        appointment = get_appointment_for_practitioner(self, pk)
        data = valid(SlotChoiceSerializer, request.data)
        clinician_services.appointment_reschedule(
            appointment_id=appointment.pk, new_slot_id=data["slot_id"], by=self.practitioner
        )
        return Response(AppointmentSerializer(get_appointment_for_practitioner(self, pk)).data)


class MyCancelView(PractitionerView):
    @extend_schema(
        operation_id="me_appointments_cancel",
        request=None,
        responses={200: AppointmentSerializer, **errors(401, 403, 404, 409)},
        summary="Cancel (before the cut-off); the time is offered to others again.",
    )
    def post(self, request: Request, pk: int) -> Response:
        appointment = get_appointment_for_practitioner(self, pk)
        clinician_services.appointment_cancel_by_practitioner(appointment_id=appointment.pk, by=self.practitioner)
        return Response(AppointmentSerializer(get_appointment_for_practitioner(self, pk)).data)


class MyCalendarView(PractitionerView):
    renderer_classes = [JSONRenderer, CalendarRenderer]

    @extend_schema(
        operation_id="me_appointments_calendar",
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY, description="An iCalendar file."),
            **errors(401, 403, 404),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        appointment = get_appointment_for_practitioner(self, pk)
        audit_record(action=Action.EXPORT, obj=appointment, subject_id=self.practitioner.pk, detail="calendar file")
        response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
        return response


class MyCallbackView(PractitionerView):
    @extend_schema(
        operation_id="me_callback_request",
        request=CallbackRequestSerializer,
        responses={201: CallbackSerializer, **errors(400, 401, 403, 404, 422)},
        summary="Ask the helpline to call me back in a time window.",
    )
    def post(self, request: Request) -> Response:
        target = callback_target_for(self.practitioner)
        if target is None:
            raise Http404
        data = valid(CallbackRequestSerializer, request.data)
        form = CallbackRequestForm(data={"day": data["day"], "window": data["window"]})
        if not form.is_valid():
            raise ValidationFailed(form_errors(form))
        callback = callback_request(
            reason=CallbackReason.PRACTITIONER,
            referral=target.referral,
            phone=target.phone,
            due_at=form.cleaned_data["window_start"],
            window_end=form.cleaned_data["window_end"],
            created_by_id=self.practitioner.pk,
        )
        body = {"window_start": callback.window_start, "window_end": callback.window_end}
        return Response(CallbackSerializer(body).data, status=status.HTTP_201_CREATED)
