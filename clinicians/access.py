"""Object checks for every view: the role decorator has already run; these make sure the
object is this person's. Outsiders get 404, so a guessed id says nothing about what exists."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from .models import Appointment, CareEpisode, Clinician, GroupProgramme, GroupSession


def user_id(request: HttpRequest) -> int:
    """The signed-in user's id (the role decorator has made sure there is one)."""
    return int(request.user.pk)  # type: ignore[arg-type]


def clinician_for_user(request: HttpRequest) -> Clinician | None:
    """The signed-in clinician's profile, or None if a service admin has not set it up yet."""
    return Clinician.objects.filter(user_id=user_id(request)).select_related("user").first()


def get_episode_for_clinician(request: HttpRequest, pk: int) -> CareEpisode:
    """An episode (active or discharged) of a patient assigned to this clinician; 404 otherwise."""
    episode = (
        CareEpisode.objects.for_clinician_user(user_id(request))
        .select_related("referral", "clinician__user")
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise Http404
    return episode


def get_appointment_for_clinician(request: HttpRequest, pk: int) -> Appointment:
    appointment = (
        Appointment.objects.filter(pk=pk, episode__clinician__user_id=user_id(request))
        .with_slot()
        .select_related("episode__referral", "episode__clinician__user")
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def get_appointment_for_practitioner(request: HttpRequest, pk: int) -> Appointment:
    appointment = (
        Appointment.objects.filter(pk=pk, episode__referral__user_id=user_id(request))
        .with_slot()
        .select_related("episode__referral", "episode__clinician__user")
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def get_episode_for_handler(request: HttpRequest, pk: int) -> CareEpisode:
    """Handlers book for anyone in care; a discharged episode is not bookable, so 404."""
    episode = CareEpisode.objects.active().select_related("referral", "clinician__user").filter(pk=pk).first()
    if episode is None:
        raise Http404
    return episode


def get_appointment_for_handler(request: HttpRequest, pk: int) -> Appointment:
    appointment = (
        Appointment.objects.filter(pk=pk, episode__ended_at__isnull=True)
        .with_slot()
        .select_related("episode__referral", "episode__clinician__user")
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def get_group_for_facilitator(request: HttpRequest, pk: int) -> GroupProgramme:
    group = GroupProgramme.objects.filter(pk=pk, facilitator__user_id=user_id(request)).select_related("site").first()
    if group is None:
        raise Http404
    return group


def get_group_session_for_facilitator(request: HttpRequest, pk: int) -> GroupSession:
    session = (
        GroupSession.objects.filter(pk=pk, programme__facilitator__user_id=user_id(request))
        .select_related("programme")
        .first()
    )
    if session is None:
        raise Http404
    return session
