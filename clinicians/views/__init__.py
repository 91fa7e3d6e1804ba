"""Views, split by who uses them: clinicians, practitioners, helpline handlers."""

from .availability import (
    availability,
    availability_leave_add,
    availability_leave_remove,
    availability_pattern_add,
    availability_pattern_end,
    availability_slot_add,
)
from .clinician import (
    appointment,
    appointment_attendance,
    appointment_cancel,
    appointment_scores,
    diary,
    follow_up_done,
    home,
    patient,
    patient_discharge,
    patient_notes,
)
from .clinician_booking import appointment_move, patient_book
from .feedback import feedback_answer, feedback_comments, feedback_thanks
from .groups import group, group_session, group_session_add, groups
from .handler import booking, booking_cancel, booking_index, booking_reschedule
from .practitioner import (
    my_appointment,
    my_appointments,
    my_book,
    my_calendar,
    my_cancel,
    my_questionnaires,
    my_reschedule,
)

__all__ = [
    "appointment",
    "appointment_attendance",
    "appointment_cancel",
    "appointment_move",
    "appointment_scores",
    "availability",
    "availability_leave_add",
    "availability_leave_remove",
    "availability_pattern_add",
    "availability_pattern_end",
    "availability_slot_add",
    "booking",
    "booking_cancel",
    "booking_index",
    "booking_reschedule",
    "diary",
    "feedback_answer",
    "feedback_comments",
    "feedback_thanks",
    "follow_up_done",
    "group",
    "group_session",
    "group_session_add",
    "groups",
    "home",
    "my_appointment",
    "my_appointments",
    "my_book",
    "my_calendar",
    "my_cancel",
    "my_questionnaires",
    "my_reschedule",
    "patient",
    "patient_book",
    "patient_discharge",
    "patient_notes",
]
