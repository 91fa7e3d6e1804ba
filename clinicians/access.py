"""Object checks for every view: the role decorator has already run; these make sure the
object is this person's. Outsiders get 404, so a guessed id says nothing about what exists."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from .models import Appointment, CareEpisode, Clinician, FollowUpTask, GroupProgramme, GroupSession


def user_id(request: HttpRequest) -> int:
    """The signed-in user's id (the role decorator has made sure there is one)."""
    return int(request.user.pk)  # type: ignore[arg-type]


def clinician_for_user(request: HttpRequest) -> Clinician | None:
    """The signed-in clinician's profile, or None if a service admin has not set it up yet."""
    return Clinician.objects.filter(user_id=user_id(request)).select_related("user").first()


def get_episode_for_clinician(request: HttpRequest, pk: int) -> CareEpisode:
    """An episode (active or discharged) of a patient assigned to this clinician; 404 otherwise."""
    return get_object_or_404(
        CareEpisode.objects.for_clinician_user(user_id(request)).select_related("referral", "clinician__user"), pk=pk
    )


def _appointment(pk: int, **allowed: object) -> Appointment:
    """Appointment `pk` if it matches `allowed` (whose it is), with what every appointment page shows."""
    appointments = Appointment.objects.with_slot().select_related("episode__referral", "episode__clinician__user")
    return get_object_or_404(appointments, pk=pk, **allowed)


def get_appointment_for_clinician(request: HttpRequest, pk: int) -> Appointment:
    return _appointment(pk, episode__clinician__user_id=user_id(request))


def get_appointment_for_practitioner(request: HttpRequest, pk: int) -> Appointment:
    return _appointment(pk, episode__referral__user_id=user_id(request))


def get_episode_for_handler(request: HttpRequest, pk: int) -> CareEpisode:
    """Handlers book for anyone in care; a discharged episode is not bookable, so 404."""
    return get_object_or_404(CareEpisode.objects.active().select_related("referral", "clinician__user"), pk=pk)


def get_appointment_for_handler(request: HttpRequest, pk: int) -> Appointment:
    """Any appointment of someone still in care."""
    return _appointment(pk, episode__ended_at__isnull=True)


def get_group_for_facilitator(request: HttpRequest, pk: int) -> GroupProgramme:
    return get_object_or_404(
        GroupProgramme.objects.select_related("site"), pk=pk, facilitator__user_id=user_id(request)
    )


def get_group_session_for_facilitator(request: HttpRequest, pk: int) -> GroupSession:
    return get_object_or_404(
        GroupSession.objects.select_related("programme"), pk=pk, programme__facilitator__user_id=user_id(request)
    )


def get_follow_up_for_clinician(request: HttpRequest, pk: int) -> FollowUpTask:
    """A follow-up task for someone in this clinician's care; 404 otherwise."""
    return get_object_or_404(
        FollowUpTask.objects.select_related("episode__referral"), pk=pk, episode__clinician__user_id=user_id(request)
    )
