"""Everything under /clinician/: the clinician's pages, the practitioner's own appointments
(/clinician/my/...) and the helpline's booking pages (/clinician/booking/...). URLs carry ids only."""

from django.urls import path
from django.views.decorators.cache import never_cache

from . import views

# Every page here shows personal or clinical data: no browser or proxy may keep a copy
# (a shared computer's back button or cache must not show someone's appointments).
private = never_cache

app_name = "clinicians"

urlpatterns = [
    # Clinicians.
    path("", private(views.home), name="home"),
    path("diary/", private(views.diary), name="diary"),
    path("patients/<int:pk>/", private(views.patient), name="patient"),
    path("patients/<int:pk>/notes/", private(views.patient_notes), name="patient_notes"),
    path("patients/<int:pk>/book/", private(views.patient_book), name="patient_book"),
    path("patients/<int:pk>/discharge/", private(views.patient_discharge), name="patient_discharge"),
    path("follow-ups/<int:pk>/done/", private(views.follow_up_done), name="follow_up_done"),
    path("appointments/<int:pk>/", private(views.appointment), name="appointment"),
    path("appointments/<int:pk>/attendance/", private(views.appointment_attendance), name="appointment_attendance"),
    path("appointments/<int:pk>/scores/", private(views.appointment_scores), name="appointment_scores"),
    path("appointments/<int:pk>/cancel/", private(views.appointment_cancel), name="appointment_cancel"),
    path("appointments/<int:pk>/move/", private(views.appointment_move), name="appointment_move"),
    path("availability/", private(views.availability), name="availability"),
    path("availability/weekly/", private(views.availability_pattern_add), name="availability_pattern_add"),
    path(
        "availability/weekly/<int:pk>/stop/", private(views.availability_pattern_end), name="availability_pattern_end"
    ),
    path("availability/extra/", private(views.availability_slot_add), name="availability_slot_add"),
    path("availability/leave/", private(views.availability_leave_add), name="availability_leave_add"),
    path(
        "availability/leave/<int:pk>/remove/",
        private(views.availability_leave_remove),
        name="availability_leave_remove",
    ),
    path("groups/", private(views.groups), name="groups"),
    path("groups/<int:pk>/", private(views.group), name="group"),
    path("groups/<int:pk>/sessions/", private(views.group_session_add), name="group_session_add"),
    path("groups/sessions/<int:pk>/", private(views.group_session), name="group_session"),
    # Practitioners.
    path("my/appointments/", private(views.my_appointments), name="my_appointments"),
    path("my/appointments/book/", private(views.my_book), name="my_book"),
    path("my/appointments/<int:pk>/", private(views.my_appointment), name="my_appointment"),
    path("my/appointments/<int:pk>/change/", private(views.my_reschedule), name="my_reschedule"),
    path("my/appointments/<int:pk>/cancel/", private(views.my_cancel), name="my_cancel"),
    path("my/appointments/<int:pk>/calendar.ics", private(views.my_calendar), name="my_calendar"),
    path("my/appointments/<int:pk>/questionnaires/", private(views.my_questionnaires), name="my_questionnaires"),
    # The Friends and Family Test: the link's signed token is the key (no sign-in needed).
    path("feedback/thanks/", private(views.feedback_thanks), name="feedback_thanks"),
    path("feedback/comments/", private(views.feedback_comments), name="feedback_comments"),
    path("feedback/<str:token>/", private(views.feedback_answer), name="feedback_answer"),
    # Helpline handlers.
    path("booking/", private(views.booking_index), name="booking_index"),
    path("booking/episodes/<int:pk>/", private(views.booking), name="booking"),
    path("booking/appointments/<int:pk>/move/", private(views.booking_reschedule), name="booking_reschedule"),
    path("booking/appointments/<int:pk>/cancel/", private(views.booking_cancel), name="booking_cancel"),
]
