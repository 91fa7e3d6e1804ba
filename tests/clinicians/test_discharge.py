"""Discharge: where care goes next, the last scores, a summary, a risk plan for anyone at high
risk, one discreet message saying how to come back, and what the helpline sees afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinicians.models import AppointmentStatus, FollowUpTask, HandoverFacts, ReferredOnTo
from clinicians.selectors import referral_care
from clinicians.services import CareError, episode_discharge, outcomes_record
from clinicians.services.care import handover_update
from practitioner_health.notifications.messages import render_message
from practitioner_health.notifications.models import Notification
from referrals.models import Status

from .factories import booked, in_days
from .helpers import assert_discreet

pytestmark = pytest.mark.django_db

PHQ_MILD = [1, 1, 1, 1, 1, 1, 1, 0, 0]  # 7, question 9 "Not at all"
PHQ_ITEM_9 = [1, 1, 1, 1, 1, 1, 1, 0, 1]  # 8, question 9 "Several days"
GAD_MILD = [1, 1, 1, 1, 1, 1, 0]  # 6

VALID = {
    "reason": "completed",
    "referred_on_to": "talking-therapies",
    "note": "Eight sessions of CBT; back at work.",
    "final_scores_missing_reason": "Final session by phone",
}


def _url(episode) -> str:  # type: ignore[no-untyped-def]
    return reverse("clinicians:patient_discharge", args=[episode.pk])


def _high_risk_handover(episode) -> None:  # type: ignore[no-untyped-def]
    handover_update(
        episode_id=episode.pk,
        handover=HandoverFacts(
            assessed_at=timezone.now() - timedelta(days=20),
            assessed_by="Sam Handler",
            risk="High",
            high_risk=True,
            urgency="Same day",
            pathway="One-to-one",
            services=("assessment",),
        ),
    )


def test_discharge_asks_where_they_were_referred_on_and_for_a_summary(
    client_for, clinician_profile, episode, clinician
) -> None:
    client = client_for(clinician)

    form = client.get(_url(episode)).content.decode()
    missing = client.post(_url(episode), {"reason": "completed", "referred_on_to": "other"})
    done = client.post(
        _url(episode), {**VALID, "referred_on_to": "other", "referred_on_name": "Riverside Recovery Clinic"}
    )

    for choice in ("Their GP", "Community mental health team", "NHS Talking Therapies", "Addiction service"):
        assert choice in form
    assert "Private care" in form and "Another service" in form and "Not referred on" in form
    page = missing.content.decode()
    assert missing.status_code == 400
    assert "Enter the name of the service they have been referred on to" in page
    assert "Enter a short summary for the record" in page
    assert done.status_code == 302
    episode.refresh_from_db()
    assert (episode.referred_on_to, episode.referred_on_name) == (ReferredOnTo.OTHER, "Riverside Recovery Clinic")
    assert episode.discharge_note == "Eight sessions of CBT; back at work."
    assert episode.referral.status == Status.DISCHARGED


def test_the_summary_and_risk_plan_are_encrypted_at_rest(clinician_profile, episode, clinician) -> None:
    from django.db import connection

    episode_discharge(
        episode_id=episode.pk,
        reason="completed",
        note="Summary words",
        by=clinician,
        referred_on_to="other",
        referred_on_name="Riverside Recovery Clinic",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT discharge_note, referred_on_name FROM clinicians_careepisode WHERE id = %s", [episode.pk]
        )
        raw = " ".join(cursor.fetchone())
    assert "Summary words" not in raw and "Riverside" not in raw


def test_without_scores_at_the_last_session_the_clinician_says_why(
    client_for, clinician_profile, episode, clinician
) -> None:
    last = booked(episode, start=in_days(-2, 10), status=AppointmentStatus.ATTENDED)
    client = client_for(clinician)

    form = client.get(_url(episode)).content.decode()
    refused = client.post(_url(episode), {**VALID, "final_scores_missing_reason": ""})

    assert reverse("clinicians:appointment_scores", args=[last.pk]) in form
    assert "Enter why there are no scores from their last session" in refused.content.decode()

    outcomes_record(appointment_id=last.pk, answers={"PHQ-9": PHQ_MILD, "GAD-7": GAD_MILD}, recorded_by=clinician)
    with_scores = client.get(_url(episode)).content.decode()
    done = client.post(_url(episode), {**VALID, "final_scores_missing_reason": ""})

    assert "PHQ-9: 7 (mild)" in with_scores and "GAD-7: 6 (mild)" in with_scores
    assert "Why are there no scores" not in with_scores
    assert done.status_code == 302


def test_a_person_at_high_risk_at_handover_is_not_discharged_without_a_confirmed_risk_plan(
    client_for, clinician_profile, episode, clinician
) -> None:
    _high_risk_handover(episode)
    client = client_for(clinician)

    form = client.get(_url(episode)).content.decode()
    refused = client.post(_url(episode), VALID)
    episode.refresh_from_db()
    assert episode.is_active
    with pytest.raises(CareError, match="confirm their risk plan"):
        episode_discharge(episode_id=episode.pk, reason="completed", note="x", by=clinician)

    done = client.post(
        _url(episode),
        {**VALID, "risk_plan_confirmed": "on", "risk_plan_note": "Crisis plan shared with their GP, who holds it."},
    )

    assert "The helpline&#x27;s handover found high risk." in form
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Confirm their risk plan before discharging them" in page
    assert "Enter why discharge is safe and who holds the risk plan" in page
    assert done.status_code == 302
    episode.refresh_from_db()
    assert not episode.is_active
    assert episode.risk_plan_confirmed and episode.risk_plan_note.startswith("Crisis plan shared")
    record = client.get(reverse("clinicians:patient", args=[episode.pk])).content.decode()
    assert "Risk plan confirmed at discharge: Crisis plan shared with their GP" in record


def test_phq9_question_9_above_0_at_the_last_scores_needs_the_risk_plan(
    client_for, clinician_profile, episode, clinician
) -> None:
    earlier = booked(episode, start=in_days(-9, 10), status=AppointmentStatus.ATTENDED)
    last = booked(episode, start=in_days(-2, 10), status=AppointmentStatus.ATTENDED)
    outcomes_record(appointment_id=earlier.pk, answers={"PHQ-9": PHQ_MILD}, recorded_by=clinician)
    outcomes_record(appointment_id=last.pk, answers={"PHQ-9": PHQ_ITEM_9, "GAD-7": GAD_MILD}, recorded_by=clinician)

    refused = client_for(clinician).post(_url(episode), VALID)

    assert refused.status_code == 400
    assert "PHQ-9 question 9" in refused.content.decode()
    with pytest.raises(CareError, match="high risk"):
        episode_discharge(episode_id=episode.pk, reason="completed", note="x", by=clinician, risk_plan_confirmed=True)


def test_an_earlier_positive_question_9_does_not_block_discharge_once_the_last_scores_are_clear(
    client_for, clinician_profile, episode, clinician
) -> None:
    earlier = booked(episode, start=in_days(-9, 10), status=AppointmentStatus.ATTENDED)
    last = booked(episode, start=in_days(-2, 10), status=AppointmentStatus.ATTENDED)
    outcomes_record(appointment_id=earlier.pk, answers={"PHQ-9": PHQ_ITEM_9}, recorded_by=clinician)
    outcomes_record(appointment_id=last.pk, answers={"PHQ-9": PHQ_MILD, "GAD-7": GAD_MILD}, recorded_by=clinician)

    assert client_for(clinician).post(_url(episode), VALID).status_code == 302


def test_discharge_sends_one_discreet_message_saying_how_to_come_back(
    client_for, clinician_profile, episode, clinician
) -> None:
    booked(episode, start=in_days(5, 10))
    booked(episode, start=in_days(12, 10))

    client_for(clinician).post(_url(episode), VALID)

    assert not Notification.objects.filter(template="appointment_cancelled").exists()
    message = Notification.objects.get(template="care_finished")
    rendered = render_message(message.channel, message.template, message.context)
    text = f"{rendered.subject}\n{rendered.body}"
    assert "arrange another time" not in text.lower()
    assert "refer yourself again" in text and "0300 030 3300" in text
    assert reverse("referrals:start") in text
    assert "The 2 appointments you still had booked with us have been cancelled" in text
    assert_discreet(text)


def test_the_text_version_of_the_discharge_message_is_discreet_too(
    client_for, clinician_profile, episode, clinician
) -> None:
    episode.referral.texts_ok = True
    episode.referral.save(update_fields=["texts_ok"])

    client_for(clinician).post(_url(episode), VALID)

    message = Notification.objects.get(template="care_finished")
    body = render_message(message.channel, message.template, message.context).body
    assert message.channel == "sms"
    assert "refer yourself again" in body and "arrange another time" not in body
    assert_discreet(body)


def test_discharge_closes_open_follow_ups(client_for, clinician_profile, episode, clinician) -> None:
    missed = booked(episode, start=in_days(-1, 10))
    client = client_for(clinician)
    client.post(reverse("clinicians:appointment_attendance", args=[missed.pk]), {"attended": "no"})

    client.post(_url(episode), {**VALID, "reason": "did-not-attend", "referred_on_to": "gp"})

    assert not FollowUpTask.objects.open().exists()


def test_the_helpline_record_shows_the_discharge_reason_and_where_they_went_but_not_the_summary(
    client_for, clinician_profile, episode, clinician, handler
) -> None:
    client_for(clinician).post(_url(episode), {**VALID, "reason": "referred-on", "referred_on_to": "cmht"})

    page = client_for(handler).get(reverse("triage:referral", args=[episode.referral_id])).content.decode()
    (care,) = referral_care(referral_id=episode.referral_id)

    assert "referred on. Referred on to: Community mental health team." in page
    assert VALID["note"] not in page and VALID["final_scores_missing_reason"] not in page
    assert (care.get_discharge_reason_display(), care.referred_on_text) == (
        "Referred on",
        "Community mental health team",
    )
    assert "discharge_note" in care.get_deferred_fields()
