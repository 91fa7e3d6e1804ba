"""What a clinician sees and does: caseload, record, notes, scores, attendance, discharge, groups."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from clinicians.models import (
    AppointmentStatus,
    AttendanceStatus,
    GroupAttendance,
    GroupKind,
    GroupMembership,
    GroupProgramme,
    GroupSession,
    OutcomeMeasure,
    SessionNote,
)
from clinicians.services import GroupError, group_member_add, outcomes_record, session_note_add
from practitioner_health.audit.models import AuditEvent
from practitioner_health.notifications.models import Notification
from selfhelp.models import SavedResult
from tests.factories import ReferralFactory

from .factories import EpisodeFactory, booked, in_days

pytestmark = pytest.mark.django_db

PHQ_SEVERE = [3, 3, 2, 2, 2, 2, 2, 2, 0]  # 18, moderately severe
PHQ_MILD = [1, 1, 1, 1, 1, 1, 1, 0, 0]  # 7, mild
GAD_MODERATE = [2, 2, 2, 2, 2, 1, 1]  # 12
GAD_MILD = [1, 1, 1, 1, 1, 1, 0]  # 6


def _answers(prefix: str, values: list[int]) -> dict[str, str]:
    return {f"{prefix}_{n}": str(v) for n, v in enumerate(values, start=1)}


def _scored_course(episode, clinician) -> None:  # type: ignore[no-untyped-def]
    first = booked(episode, start=in_days(-21, 10), status=AppointmentStatus.ATTENDED)
    latest = booked(episode, start=in_days(-7, 10), status=AppointmentStatus.ATTENDED)
    outcomes_record(
        appointment_id=first.pk, answers={"PHQ-9": PHQ_SEVERE, "GAD-7": GAD_MODERATE}, recorded_by=clinician
    )
    outcomes_record(appointment_id=latest.pk, answers={"PHQ-9": PHQ_MILD, "GAD-7": GAD_MILD}, recorded_by=clinician)


def test_the_caseload_lists_active_patients_urgent_first_with_next_appointment_and_score_changes(
    client_for, clinician_profile, episode, clinician
) -> None:
    urgent = EpisodeFactory(
        referral=ReferralFactory(in_care=True, user=None, urgent=True, name="Dr Urgent Case"),
        clinician=clinician_profile,
    )
    _scored_course(episode, clinician)
    booked(episode, start=in_days(3, 14))
    discharged = EpisodeFactory(
        referral=ReferralFactory(in_care=True, user=None, name="Dr Gone Home"), clinician=clinician_profile
    )
    discharged.ended_at, discharged.discharge_reason = discharged.started_at, "completed"
    discharged.save()

    page = client_for(clinician).get(reverse("clinicians:home")).content.decode()

    assert page.index("Dr Urgent Case") < page.index("Dr Avery Example")
    assert "Dr Gone Home" not in page
    assert "2 people in your care, out of a maximum of 30" in page
    assert "7 (down 11)" in page  # PHQ-9 18 -> 7
    assert "6 (down 6)" in page  # GAD-7 12 -> 6
    assert "at 2pm" in page
    assert "3</td>" in page  # weeks since referral
    assert reverse("clinicians:patient", args=[urgent.pk]) in page
    assert AuditEvent.objects.filter(actor=clinician, detail="caseload").exists()


def test_the_caseload_shows_names_as_typed_never_as_markup(client_for, clinician_profile, clinician) -> None:
    EpisodeFactory(
        referral=ReferralFactory(
            in_care=True, user=None, urgent=True, name='Dr <img src=x onerror=alert(1)> O\'Neil & "Co"'
        ),
        clinician=clinician_profile,
    )

    page = client_for(clinician).get(reverse("clinicians:home")).content.decode()

    assert "<img" not in page
    assert "Dr &lt;img src=x onerror=alert(1)&gt; O&#x27;Neil &amp; &quot;Co&quot;" in page
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Urgent</strong>' in page


def test_the_caseload_flags_a_positive_answer_to_phq9_question_9(
    client_for, clinician_profile, episode, clinician
) -> None:
    appointment = booked(episode, start=in_days(-2, 10), status=AppointmentStatus.ATTENDED)
    outcomes_record(
        appointment_id=appointment.pk, answers={"PHQ-9": [1, 1, 1, 1, 1, 1, 1, 1, 1]}, recorded_by=clinician
    )

    page = client_for(clinician).get(reverse("clinicians:home")).content.decode()

    assert "Risk: PHQ-9 question 9" in page


def test_the_patient_record_shows_the_referral_appointments_scores_chart_and_self_help_results(
    client_for, clinician_profile, episode, clinician, practitioner
) -> None:
    _scored_course(episode, clinician)
    SavedResult.objects.create(
        user=practitioner, measure="GAD-7", total=11, band="moderate", answers_json="[2,2,2,2,1,1,1]"
    )

    response = client_for(clinician).get(reverse("clinicians:patient", args=[episode.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert episode.referral.reference in page
    assert "Anywhere away from where I work" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="ph-chart"' in page
    assert 'role="img"' in page and "<title" in page
    assert "PHQ-9: 2 scores, from 18 at first to 7 most recently." in page
    assert " style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "18 (moderately severe)" in page and "7 (mild)" in page  # the data table
    assert "11 (moderate)" in page  # the saved self-help result
    assert AuditEvent.objects.filter(subject=practitioner, actor=clinician, detail="patient record").exists()
    assert AuditEvent.objects.filter(subject=practitioner, actor=clinician, detail="self-help results").exists()


def test_session_notes_are_saved_encrypted_and_shown_only_on_the_notes_page(
    client_for, clinician_profile, episode, clinician
) -> None:
    appointment = booked(episode, start=in_days(-1, 10), status=AppointmentStatus.ATTENDED)
    client = client_for(clinician)
    text = "Talked through the rota; plans a week off."

    response = client.post(
        reverse("clinicians:patient_notes", args=[episode.pk]), {"body": text, "appointment": appointment.pk}
    )

    assert response.status_code == 302
    note = SessionNote.objects.get()
    assert (note.body, note.appointment_id, note.author_id) == (text, appointment.pk, clinician.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM clinicians_sessionnote")
        (stored,) = cursor.fetchone()
    assert "rota" not in stored
    assert text in client.get(reverse("clinicians:patient_notes", args=[episode.pk])).content.decode()
    assert text not in client.get(reverse("clinicians:patient", args=[episode.pk])).content.decode()


def test_an_empty_note_is_refused_with_a_message(client_for, clinician_profile, episode, clinician) -> None:
    response = client_for(clinician).post(reverse("clinicians:patient_notes", args=[episode.pk]), {"body": "  "})
    assert response.status_code == 400
    assert "Enter the note" in response.content.decode()
    assert not SessionNote.objects.exists()


def test_a_note_cannot_point_at_another_patients_appointment(clinician_profile, episode, clinician) -> None:
    other = EpisodeFactory(clinician=clinician_profile)
    theirs = booked(other)
    from clinicians.services import CareError

    with pytest.raises(CareError):
        session_note_add(episode_id=episode.pk, author=clinician, body="x", appointment_id=theirs.pk)


def test_recording_attendance_from_the_appointment_page(client_for, clinician_profile, episode, clinician) -> None:
    appointment = booked(episode, start=in_days(0, 9))
    url = reverse("clinicians:appointment_attendance", args=[appointment.pk])

    # Signed in afresh at each moment: a session idle for longer than 30 minutes ends.
    with time_machine.travel(appointment.slot.start - timedelta(hours=1), tick=False):
        early = client_for(clinician).post(url, {"attended": "yes"})
    with time_machine.travel(appointment.slot.start + timedelta(minutes=55), tick=False):
        client = client_for(clinician)
        empty = client.post(url, {})
        done = client.post(url, {"attended": "no"})

    assert early.status_code == 400 and "once the appointment has started" in early.content.decode()
    assert empty.status_code == 400 and "Choose whether they attended" in empty.content.decode()
    assert done.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.DID_NOT_ATTEND


def test_entering_phq9_and_gad7_for_a_session_scores_them(client_for, clinician_profile, episode, clinician) -> None:
    appointment = booked(episode, start=in_days(-1, 10), status=AppointmentStatus.ATTENDED)
    url = reverse("clinicians:appointment_scores", args=[appointment.pk])

    response = client_for(clinician).post(url, {**_answers("phq9", PHQ_SEVERE), **_answers("gad7", GAD_MILD)})

    assert response.status_code == 302
    scores = {o.measure: o for o in OutcomeMeasure.objects.filter(appointment=appointment)}
    assert (scores["PHQ-9"].total, scores["PHQ-9"].band) == (18, "moderately severe")
    assert (scores["GAD-7"].total, scores["GAD-7"].band) == (6, "mild")
    assert scores["PHQ-9"].answers == PHQ_SEVERE
    assert scores["PHQ-9"].recorded_by == clinician


def test_a_partly_answered_questionnaire_is_not_scored_and_keeps_the_answers(
    client_for, clinician_profile, episode, clinician
) -> None:
    appointment = booked(episode, start=in_days(-1, 10), status=AppointmentStatus.ATTENDED)
    partial = _answers("phq9", PHQ_SEVERE)
    del partial["phq9_3"]

    response = client_for(clinician).post(
        reverse("clinicians:appointment_scores", args=[appointment.pk]), {**partial, **_answers("gad7", GAD_MILD)}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Answer question 3 of the PHQ-9" in page
    assert 'href="#id_phq9_3_0"' in page
    assert 'name="phq9_1" type="radio" value="3" checked' in page
    assert not OutcomeMeasure.objects.exists()


def test_scores_the_practitioner_gave_before_the_session_are_shown_for_the_clinician_to_revise(
    client_for, clinician_profile, episode, clinician, practitioner
) -> None:
    appointment = booked(episode, start=in_days(2, 10))
    outcomes_record(
        appointment_id=appointment.pk, answers={"PHQ-9": PHQ_MILD, "GAD-7": GAD_MILD}, recorded_by=practitioner
    )

    with time_machine.travel(appointment.slot.start + timedelta(minutes=5), tick=False):
        url = reverse("clinicians:appointment_scores", args=[appointment.pk])
        page = client_for(clinician).get(url).content.decode()

    assert 'name="phq9_1" type="radio" value="1" checked' in page
    assert 'name="gad7_7" type="radio" value="0" checked' in page


def test_discharging_needs_a_reason_and_takes_them_off_the_caseload(
    client_for, clinician_profile, episode, clinician
) -> None:
    upcoming = booked(episode, start=in_days(9, 10))
    client = client_for(clinician)
    url = reverse("clinicians:patient_discharge", args=[episode.pk])

    assert "1 upcoming appointment" in client.get(url).content.decode()
    missing = client.post(url, {"reason": "other", "note": ""})
    done = client.post(
        url,
        {
            "reason": "referred-on",
            "referred_on_to": "addiction",
            "note": "Assessed; to the local addiction service",
            "final_scores_missing_reason": "Seen for assessment only",
        },
    )

    assert "Enter a short summary for the record" in missing.content.decode()
    assert done.status_code == 302
    episode.refresh_from_db()
    upcoming.refresh_from_db()
    assert episode.discharge_reason == "referred-on"
    assert upcoming.status == AppointmentStatus.CANCELLED_BY_SERVICE
    # One message saying how to come back; none inviting them to arrange another time.
    assert Notification.objects.filter(template="appointment_cancelled").count() == 0
    assert Notification.objects.filter(template="care_finished").count() == 1
    assert "Dr Avery Example" not in client.get(reverse("clinicians:home")).content.decode()
    # Still their record to read after discharge.
    assert client.get(reverse("clinicians:patient", args=[episode.pk])).status_code == 200


def test_a_clinician_cancels_an_appointment_for_the_service_with_a_reason(
    client_for, clinician_profile, episode, clinician
) -> None:
    appointment = booked(episode, start=in_days(1, 10))
    url = reverse("clinicians:appointment_cancel", args=[appointment.pk])

    refused = client_for(clinician).post(url, {"reason": "", "reopen": ""})
    done = client_for(clinician).post(url, {"reason": "Off sick", "reopen": "no"})

    assert refused.status_code == 400
    assert "Enter why the appointment is being cancelled" in refused.content.decode()
    assert done.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_SERVICE
    assert appointment.slot.status == "blocked"


def test_the_diary_shows_the_week_with_patients_and_open_times(
    client_for, clinician_profile, episode, clinician, site
) -> None:
    appointment = booked(episode, start=in_days(14, 10), site=site)
    from .factories import SlotFactory

    SlotFactory(clinician=clinician_profile, start=in_days(14, 15))

    page = (
        client_for(clinician)
        .get(reverse("clinicians:diary") + f"?week={appointment.slot.start:%Y-%m-%d}")
        .content.decode()
    )

    assert "Dr Avery Example" in page
    assert "10am to 10:50am" in page
    assert "Riverside Rooms" in page
    assert ">Open<" in page
    assert "Week beginning" in page
    assert client_for(clinician).get(reverse("clinicians:diary") + "?week=not-a-date").status_code == 200


def test_the_video_link_shows_to_the_clinician_only_around_the_appointment(
    client_for, clinician_profile, episode, clinician
) -> None:
    appointment = booked(episode, start=in_days(3, 10))
    url = reverse("clinicians:appointment", args=[appointment.pk])

    with time_machine.travel(appointment.slot.start - timedelta(minutes=20), tick=False):
        before = client_for(clinician).get(url).content.decode()
    with time_machine.travel(appointment.slot.start - timedelta(minutes=10), tick=False):
        during = client_for(clinician).get(url).content.decode()

    assert appointment.video_token not in before
    assert appointment.video_url in during


# --- Groups ----------------------------------------------------------------------------------


@pytest.fixture
def group(clinician_profile):  # type: ignore[no-untyped-def]
    return GroupProgramme.objects.create(
        name="Recovery group (Mondays)", kind=GroupKind.ADDICTION_RECOVERY, facilitator=clinician_profile, capacity=2
    )


def test_a_group_takes_members_up_to_its_capacity(group) -> None:
    group_member_add(programme_id=group.pk, referral_id=ReferralFactory(in_care=True, user=None).pk)
    group_member_add(programme_id=group.pk, referral_id=ReferralFactory(in_care=True, user=None).pk)

    with pytest.raises(GroupError, match="full"):
        group_member_add(programme_id=group.pk, referral_id=ReferralFactory(in_care=True, user=None).pk)


def test_the_facilitator_adds_a_session_and_records_attendance(client_for, clinician, group) -> None:
    member = GroupMembership.objects.create(
        programme=group, referral=ReferralFactory(in_care=True, user=None, name="Dr Member One")
    )
    client = client_for(clinician)
    day = in_days(7, 18)

    added = client.post(
        reverse("clinicians:group_session_add", args=[group.pk]),
        {"day": f"{day:%Y-%m-%d}", "start_time": "18:00", "length_minutes": "90"},
    )
    session = GroupSession.objects.get()
    with time_machine.travel(session.starts_at + timedelta(minutes=100), tick=False):
        client = client_for(clinician)
        page = client.get(reverse("clinicians:group_session", args=[session.pk])).content.decode()
        saved = client.post(reverse("clinicians:group_session", args=[session.pk]), {f"member_{member.pk}": "attended"})

    assert added.status_code == 302
    assert "Dr Member One" in page
    assert saved.status_code == 302
    assert GroupAttendance.objects.get().status == AttendanceStatus.ATTENDED
    group_page = client_for(clinician).get(reverse("clinicians:group", args=[group.pk])).content.decode()
    assert "Recovery group (Mondays)" in group_page and "1 of 2 places taken" in group_page
