"""Every clinicians URL, with the status each role gets and arguments owned by the allowed persona.

POST-only views answer the allowed role's GET with 405 (and everyone else as usual).
"""

from __future__ import annotations

from datetime import timedelta

from tests.access import PUBLIC, only

from .factories import SlotFactory, booked, clinician_for, episode_for, in_days

CLINICIAN = only("clinician")
CLINICIAN_POST = only("clinician", status=405)
PRACTITIONER = only("practitioner")
HANDLER = only("handler")

RULES = {
    "clinicians:home": CLINICIAN,
    "clinicians:diary": CLINICIAN,
    "clinicians:patient": CLINICIAN,
    "clinicians:patient_notes": CLINICIAN,
    "clinicians:patient_discharge": CLINICIAN,
    "clinicians:patient_book": CLINICIAN,
    "clinicians:appointment_move": CLINICIAN,
    "clinicians:follow_up_done": CLINICIAN_POST,
    "clinicians:appointment": CLINICIAN,
    "clinicians:appointment_attendance": CLINICIAN_POST,
    "clinicians:appointment_scores": CLINICIAN,
    "clinicians:appointment_cancel": CLINICIAN,
    "clinicians:availability": CLINICIAN,
    "clinicians:availability_pattern_add": CLINICIAN_POST,
    "clinicians:availability_pattern_end": CLINICIAN_POST,
    "clinicians:availability_slot_add": CLINICIAN_POST,
    "clinicians:availability_leave_add": CLINICIAN_POST,
    "clinicians:availability_leave_remove": CLINICIAN_POST,
    "clinicians:groups": CLINICIAN,
    "clinicians:group": CLINICIAN,
    "clinicians:group_session_add": CLINICIAN_POST,
    "clinicians:group_session": CLINICIAN,
    "clinicians:my_appointments": PRACTITIONER,
    "clinicians:my_book": PRACTITIONER,
    "clinicians:my_appointment": PRACTITIONER,
    "clinicians:my_reschedule": PRACTITIONER,
    "clinicians:my_cancel": PRACTITIONER,
    "clinicians:my_calendar": PRACTITIONER,
    "clinicians:my_questionnaires": PRACTITIONER,
    # Anyone holding a valid link: the signed token is the key, and the page shows no one.
    "clinicians:feedback_answer": PUBLIC,
    "clinicians:feedback_thanks": PUBLIC,
    # Free text from the Friends and Family Test: the service admin (clinical lead) only.
    "clinicians:feedback_comments": only("service_admin"),
    "clinicians:booking_index": HANDLER,
    "clinicians:booking": HANDLER,
    "clinicians:booking_reschedule": HANDLER,
    "clinicians:booking_cancel": HANDLER,
}


def _clinicians_episode(personas: dict) -> dict:
    return {"pk": episode_for(None, personas["clinician"]).pk}


def _clinicians_appointment(personas: dict) -> dict:
    return {"pk": booked(episode_for(None, personas["clinician"])).pk}


def _clinicians_started_appointment(personas: dict) -> dict:
    # Scores are taken once a session has started.
    return {"pk": booked(episode_for(None, personas["clinician"]), start=in_days(-1, 10)).pk}


def _follow_up(personas: dict) -> dict:
    from clinicians.models import FollowUpKind, FollowUpTask

    episode = episode_for(None, personas["clinician"])
    missed = booked(episode, start=in_days(-1, 10))
    return {
        "pk": FollowUpTask.objects.create(episode=episode, appointment=missed, kind=FollowUpKind.MISSED_APPOINTMENT).pk
    }


def _practitioners_appointment(personas: dict) -> dict:
    # A treatment appointment well outside the cut-off, so every practitioner page shows its form.
    episode = episode_for(personas["practitioner"])
    SlotFactory(clinician=episode.clinician, start=in_days(9, 15))
    return {"pk": booked(episode, start=in_days(6, 10)).pk}


def _any_episode(personas: dict) -> dict:
    return {"pk": episode_for(None).pk}


def _any_appointment(personas: dict) -> dict:
    return {"pk": booked(episode_for(None)).pk}


def _pattern(personas: dict) -> dict:
    from clinicians.models import AvailabilityPattern

    pattern = AvailabilityPattern.objects.create(
        clinician=clinician_for(personas["clinician"]), weekday=1, start_time="10:00", length_minutes=50
    )
    return {"pk": pattern.pk}


def _leave(personas: dict) -> dict:
    from clinicians.models import Leave

    leave = Leave.objects.create(
        clinician=clinician_for(personas["clinician"]), starts_at=in_days(20, 0), ends_at=in_days(22, 0)
    )
    return {"pk": leave.pk}


def _group(personas: dict) -> dict:
    from clinicians.models import GroupKind, GroupProgramme

    group = GroupProgramme.objects.create(
        name="Reflective practice (Tuesdays)",
        kind=GroupKind.REFLECTIVE_PRACTICE,
        facilitator=clinician_for(personas["clinician"]),
    )
    return {"pk": group.pk}


def _group_session(personas: dict) -> dict:
    from clinicians.models import GroupProgramme, GroupSession

    group = GroupProgramme.objects.get(pk=_group(personas)["pk"])
    start = in_days(-2, 18)
    return {"pk": GroupSession.objects.create(programme=group, starts_at=start, ends_at=start + timedelta(hours=1)).pk}


def _feedback_link(personas: dict) -> dict:
    from clinicians.feedback import feedback_token
    from clinicians.models import FeedbackOffer, FeedbackStage

    episode = episode_for(personas["practitioner"])
    FeedbackOffer.objects.create(episode=episode, stage=FeedbackStage.FIRST_APPOINTMENT)
    return {"token": feedback_token(episode_id=episode.pk, stage=FeedbackStage.FIRST_APPOINTMENT)}


KWARGS = {
    "clinicians:feedback_answer": _feedback_link,
    "clinicians:patient": _clinicians_episode,
    "clinicians:patient_notes": _clinicians_episode,
    "clinicians:patient_discharge": _clinicians_episode,
    "clinicians:patient_book": _clinicians_episode,
    "clinicians:appointment_move": _clinicians_appointment,
    "clinicians:appointment": _clinicians_appointment,
    "clinicians:appointment_attendance": _clinicians_appointment,
    "clinicians:appointment_scores": _clinicians_started_appointment,
    "clinicians:follow_up_done": _follow_up,
    "clinicians:appointment_cancel": _clinicians_appointment,
    "clinicians:availability_pattern_end": _pattern,
    "clinicians:availability_leave_remove": _leave,
    "clinicians:group": _group,
    "clinicians:group_session_add": _group,
    "clinicians:group_session": _group_session,
    "clinicians:my_appointment": _practitioners_appointment,
    "clinicians:my_reschedule": _practitioners_appointment,
    "clinicians:my_cancel": _practitioners_appointment,
    "clinicians:my_calendar": _practitioners_appointment,
    "clinicians:my_questionnaires": _practitioners_appointment,
    "clinicians:booking": _any_episode,
    "clinicians:booking_reschedule": _any_appointment,
    "clinicians:booking_cancel": _any_appointment,
}
