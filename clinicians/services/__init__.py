"""Writes for the clinicians app. Each function is keyword-only, runs in one transaction and
says in its docstring what it guarantees and what it sends."""

from .availability import (
    AvailabilityError,
    leave_add,
    leave_remove,
    pattern_add,
    pattern_end,
    slot_add,
    slots_generate,
)
from .booking import (
    BookingError,
    SlotTakenError,
    TooLateToChangeError,
    appointment_attendance_record,
    appointment_book,
    appointment_cancel_by_practitioner,
    appointment_cancel_by_service,
    appointment_reschedule,
)
from .care import (
    CareError,
    discharge_risk_reasons,
    episode_discharge,
    episode_start,
    follow_up_done,
    last_session_scores,
    outcomes_record,
    scores_refusal,
    session_note_add,
)
from .groups import GroupError, group_attendance_record, group_member_add, group_session_add
from .reminders import reminders_send

__all__ = [
    "AvailabilityError",
    "BookingError",
    "CareError",
    "GroupError",
    "SlotTakenError",
    "TooLateToChangeError",
    "appointment_attendance_record",
    "appointment_book",
    "appointment_cancel_by_practitioner",
    "appointment_cancel_by_service",
    "appointment_reschedule",
    "discharge_risk_reasons",
    "episode_discharge",
    "episode_start",
    "follow_up_done",
    "group_attendance_record",
    "group_member_add",
    "group_session_add",
    "last_session_scores",
    "leave_add",
    "leave_remove",
    "outcomes_record",
    "pattern_add",
    "pattern_end",
    "reminders_send",
    "scores_refusal",
    "session_note_add",
    "slot_add",
    "slots_generate",
]
