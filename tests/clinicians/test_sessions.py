"""Sessions: scores and notes only against a session that happened; did-not-attend follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinicians.models import AppointmentStatus, CareEpisode, FollowUpTask, OutcomeMeasure, SessionNote
from clinicians.services import CareError, appointment_reschedule, outcomes_record, session_note_add

from .factories import EpisodeFactory, ReferralFactory, SlotFactory, booked, in_days

pytestmark = pytest.mark.django_db

PHQ_MILD = [1, 1, 1, 1, 1, 1, 1, 0, 0]  # 7
GAD_MILD = [1, 1, 1, 1, 1, 1, 0]  # 6


def _answers(prefix: str, values: list[int]) -> dict[str, str]:
    return {f"{prefix}_{n}": str(v) for n, v in enumerate(values, start=1)}


SCORES_FORM = {**_answers("phq9", PHQ_MILD), **_answers("gad7", GAD_MILD)}


def _mark(client, appointment, attended: bool):  # type: ignore[no-untyped-def]
    url = reverse("clinicians:appointment_attendance", args=[appointment.pk])
    return client.post(url, {"attended": "yes" if attended else "no"})


# --- Scores and notes -------------------------------------------------------------------


def test_a_clinician_cannot_enter_scores_before_the_appointment_starts(
    client_for, clinician_profile, episode, clinician
) -> None:
    appointment = booked(episode, start=in_days(2, 10))
    client = client_for(clinician)
    url = reverse("clinicians:appointment_scores", args=[appointment.pk])

    shown = client.get(url, follow=True).content.decode()
    posted = client.post(url, SCORES_FORM)
    record = client.get(reverse("clinicians:appointment", args=[appointment.pk])).content.decode()

    assert "Scores can be entered once the appointment has started." in shown
    assert posted.status_code == 302
    assert not OutcomeMeasure.objects.exists()
    assert url not in record
    with pytest.raises(CareError, match="once the appointment has started"):
        outcomes_record(appointment_id=appointment.pk, answers={"PHQ-9": PHQ_MILD}, recorded_by=clinician)


def test_a_clinician_enters_scores_once_the_session_has_started(
    client_for, clinician_profile, episode, clinician
) -> None:
    appointment = booked(episode, start=in_days(2, 10))

    with time_machine.travel(appointment.slot.start + timedelta(minutes=10), tick=False):
        response = client_for(clinician).post(
            reverse("clinicians:appointment_scores", args=[appointment.pk]), SCORES_FORM
        )

    assert response.status_code == 302
    assert sorted(appointment.outcomes.values_list("measure", "total")) == [("GAD-7", 6), ("PHQ-9", 7)]


def test_a_missed_appointment_has_no_scores(client_for, clinician_profile, episode, clinician, practitioner) -> None:
    appointment = booked(episode, start=in_days(1, 10), kind="treatment")
    # They answered the questionnaires beforehand, then did not come.
    outcomes_record(appointment_id=appointment.pk, answers={"PHQ-9": PHQ_MILD}, recorded_by=practitioner)
    given = OutcomeMeasure.objects.get()

    with time_machine.travel(appointment.slot.start + timedelta(hours=1), tick=False):
        client = client_for(clinician)
        _mark(client, appointment, attended=False)
        refused = client.get(reverse("clinicians:appointment_scores", args=[appointment.pk]), follow=True)
        with pytest.raises(CareError, match="did not attend"):
            outcomes_record(appointment_id=appointment.pk, answers={"PHQ-9": PHQ_MILD}, recorded_by=clinician)
        record = client.get(reverse("clinicians:patient", args=[episode.pk])).content.decode()

    assert "They did not attend this appointment, so it has no scores." in refused.content.decode()
    assert not appointment.outcomes.exists()
    # Their answers stay on the record, at the date they gave them, not against the missed session.
    given.refresh_from_db()
    assert given.appointment_id is None and given.episode_id == episode.pk
    assert "7 (mild)" in record


def test_notes_are_written_only_about_a_session_that_has_started(
    client_for, clinician_profile, episode, clinician
) -> None:
    future = booked(episode, start=in_days(3, 10))
    cancelled = booked(
        episode, start=in_days(-3, 10), status=AppointmentStatus.CANCELLED_BY_SERVICE, cancelled_at=in_days(-4, 10)
    )
    held = booked(episode, start=in_days(-1, 10), status=AppointmentStatus.ATTENDED)
    client = client_for(clinician)
    url = reverse("clinicians:patient_notes", args=[episode.pk])

    form = client.get(url).content.decode()
    refused = client.post(url, {"appointment": str(future.pk), "body": "Early thoughts"})
    saved = client.post(url, {"appointment": str(held.pk), "body": "Went well"})

    assert f'value="{held.pk}"' in form
    assert f'value="{future.pk}"' not in form and f'value="{cancelled.pk}"' not in form
    assert refused.status_code == 400
    assert "Choose an appointment that has started, or none" in refused.content.decode()
    assert saved.status_code == 302
    assert list(SessionNote.objects.values_list("appointment_id", flat=True)) == [held.pk]
    with pytest.raises(CareError, match="has not started yet"):
        session_note_add(episode_id=episode.pk, author=clinician, body="x", appointment_id=future.pk)
    with pytest.raises(CareError, match="was cancelled"):
        session_note_add(episode_id=episode.pk, author=clinician, body="x", appointment_id=cancelled.pk)


def test_moving_an_appointment_does_not_move_its_scores(client_for, clinician_profile, episode, practitioner) -> None:
    appointment = booked(episode, start=in_days(3, 10), kind="treatment")
    outcomes_record(
        appointment_id=appointment.pk, answers={"PHQ-9": PHQ_MILD, "GAD-7": GAD_MILD}, recorded_by=practitioner
    )
    later = SlotFactory(clinician=episode.clinician, start=in_days(20, 10))

    appointment_reschedule(appointment_id=appointment.pk, new_slot_id=later.pk, by=practitioner)

    assert not appointment.outcomes.exists()
    assert OutcomeMeasure.objects.filter(episode=episode, appointment__isnull=True).count() == 2


def test_scores_from_an_attended_session_cannot_be_moved_with_it(clinician_profile, episode, clinician) -> None:
    held = booked(episode, start=in_days(-1, 10), status=AppointmentStatus.ATTENDED)
    outcomes_record(appointment_id=held.pk, answers={"PHQ-9": PHQ_MILD}, recorded_by=clinician)
    later = SlotFactory(clinician=episode.clinician, start=in_days(20, 10))

    with pytest.raises(Exception, match="can no longer be changed"):
        appointment_reschedule(appointment_id=held.pk, new_slot_id=later.pk, by=clinician, enforce_cutoff=False)

    assert held.outcomes.count() == 1


# --- Did not attend -----------------------------------------------------------------------


def test_a_missed_appointment_makes_a_follow_up_on_the_caseload_and_counts_on_the_record(
    client_for, clinician_profile, episode, clinician
) -> None:
    missed = booked(episode, start=in_days(-1, 10))
    client = client_for(clinician)

    _mark(client, missed, attended=False)
    _mark(client, missed, attended=False)  # saved twice: still one task
    caseload = client.get(reverse("clinicians:home")).content.decode()
    record = client.get(reverse("clinicians:patient", args=[episode.pk])).content.decode()

    assert FollowUpTask.objects.count() == 1
    assert "Contact" in caseload and "Dr Avery Example</a> after a missed appointment" in caseload
    assert "Missed appointments: 1 (1 in a row since they last attended)" in record
    assert "Contact Dr Avery Example after a missed appointment" in record
    assert "Missed 1 in a row" not in caseload  # one miss: a task, not yet the prompt


def test_two_misses_in_a_row_prompt_the_clinician_to_contact_or_discharge(
    client_for, clinician_profile, episode, clinician
) -> None:
    first = booked(episode, start=in_days(-8, 10))
    second = booked(episode, start=in_days(-1, 10))
    client = client_for(clinician)

    _mark(client, first, attended=False)
    _mark(client, second, attended=False)
    caseload = client.get(reverse("clinicians:home")).content.decode()
    record = client.get(reverse("clinicians:patient", args=[episode.pk])).content.decode()

    assert "Missed 2 in a row: contact or discharge" in caseload
    assert 'id="missed-prompt"' in record and "Missed 2 appointments in a row" in record
    assert reverse("clinicians:patient_discharge", args=[episode.pk]) in record

    # They came to the next one: the run is over.
    _mark(client, second, attended=True)
    episode.refresh_from_db()
    assert episode.missed_in_a_row == 0
    assert "Missed 2 in a row" not in client.get(reverse("clinicians:home")).content.decode()


def test_correcting_a_miss_to_attended_closes_its_follow_up(client_for, clinician_profile, episode, clinician) -> None:
    appointment = booked(episode, start=in_days(-1, 10))
    client = client_for(clinician)

    _mark(client, appointment, attended=False)
    _mark(client, appointment, attended=True)

    assert not FollowUpTask.objects.open().exists()
    assert "after a missed appointment" not in client.get(reverse("clinicians:home")).content.decode()


def test_a_clinician_marks_a_follow_up_done_and_no_one_else_can(
    client_for, clinician_profile, episode, clinician, other_clinician, other_clinician_profile
) -> None:
    appointment = booked(episode, start=in_days(-1, 10))
    client = client_for(clinician)
    _mark(client, appointment, attended=False)
    task = FollowUpTask.objects.get()
    url = reverse("clinicians:follow_up_done", args=[task.pk])

    outsider = client_for(other_clinician).post(url)
    task.refresh_from_db()
    assert outsider.status_code == 404 and task.is_open

    done = client.post(url, {"back": "patient"})

    task.refresh_from_db()
    assert done.status_code == 302 and done["Location"] == reverse("clinicians:patient", args=[episode.pk])
    assert not task.is_open and task.done_by == clinician
    assert "after a missed appointment" not in client.get(reverse("clinicians:home")).content.decode()


def test_the_caseload_with_many_follow_ups_runs_a_fixed_number_of_queries(
    client_for, clinician_profile, clinician, django_assert_max_num_queries
) -> None:
    client = client_for(clinician)

    made = []

    def add(count: int) -> None:
        for _ in range(count):
            ep: CareEpisode = EpisodeFactory(
                referral=ReferralFactory(in_care=True, user=None), clinician=clinician_profile
            )
            missed = booked(ep, start=in_days(-1, 8) + timedelta(minutes=10 * len(made)))
            made.append(missed)
            _mark(client, missed, attended=False)

    add(1)
    client.get(reverse("clinicians:home"))  # the first request after signing in also settles the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("clinicians:home")).status_code == 200
    few = len(one.captured_queries)
    add(30)
    with django_assert_max_num_queries(few):
        page = client.get(reverse("clinicians:home")).content.decode()
    assert page.count("after a missed appointment") == 31
