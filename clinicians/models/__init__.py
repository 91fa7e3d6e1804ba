"""Clinicians: the network, availability and booking, care episodes and groups.

Split by topic; import from `clinicians.models` as usual.
"""

from .appointments import Appointment, AppointmentKind, AppointmentReminder, AppointmentStatus
from .availability import AvailabilityPattern, Leave, Slot, SlotStatus, Weekday
from .care import (
    MISSED_IN_A_ROW_PROMPT,
    CareEpisode,
    DischargeReason,
    FollowUpKind,
    FollowUpTask,
    Handover,
    HandoverFacts,
    OutcomeMeasure,
    ReferredOnTo,
    SessionNote,
)
from .feedback import (
    NEGATIVE_RATINGS,
    POSITIVE_RATINGS,
    FeedbackOffer,
    FeedbackRating,
    FeedbackResponse,
    FeedbackStage,
    FeedbackTokenUse,
)
from .groups import (
    AttendanceStatus,
    GroupAttendance,
    GroupKind,
    GroupMembership,
    GroupProgramme,
    GroupSession,
)
from .network import Clinician, Profession, Region, Service, ServiceCode, Site

__all__ = [
    "MISSED_IN_A_ROW_PROMPT",
    "NEGATIVE_RATINGS",
    "POSITIVE_RATINGS",
    "Appointment",
    "AppointmentKind",
    "AppointmentReminder",
    "AppointmentStatus",
    "AttendanceStatus",
    "AvailabilityPattern",
    "CareEpisode",
    "Clinician",
    "DischargeReason",
    "FeedbackOffer",
    "FeedbackRating",
    "FeedbackResponse",
    "FeedbackStage",
    "FeedbackTokenUse",
    "FollowUpKind",
    "FollowUpTask",
    "GroupAttendance",
    "GroupKind",
    "GroupMembership",
    "GroupProgramme",
    "GroupSession",
    "Handover",
    "HandoverFacts",
    "Leave",
    "OutcomeMeasure",
    "Profession",
    "ReferredOnTo",
    "Region",
    "Service",
    "ServiceCode",
    "SessionNote",
    "Site",
    "Slot",
    "SlotStatus",
    "Weekday",
]
