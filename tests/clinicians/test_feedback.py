"""The NHS Friends and Family Test: offered after the first attended appointment and at
discharge, answered once through a signed link, and stored with no way back to the person."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from clinicians.feedback import feedback_token, redact
from clinicians.models import (
    FeedbackOffer,
    FeedbackRating,
    FeedbackResponse,
    FeedbackStage,
    FeedbackTokenUse,
)
from clinicians.services import appointment_attendance_record, episode_discharge
from practitioner_health.accounts.models import User
from practitioner_health.audit.models import AuditEvent
from practitioner_health.notifications.messages import indiscreet_words, render_message
from practitioner_health.notifications.models import Notification

from .factories import booked, episode_for, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(practitioner: User, clinician: User):  # type: ignore[no-untyped-def]
    return episode_for(practitioner, clinician, work_region="north-west", profession="dentist", register="GDC")


def _offer(episode, stage: str = FeedbackStage.FIRST_APPOINTMENT) -> str:  # type: ignore[no-untyped-def]
    FeedbackOffer.objects.create(episode=episode, stage=stage)
    return feedback_token(episode_id=episode.pk, stage=stage)


def _invites() -> list[Notification]:
    return list(Notification.objects.filter(template="feedback_invite"))


# --- Offering -------------------------------------------------------------------------------


def test_the_first_attended_appointment_offers_the_test_once_by_a_discreet_email(
    episode, clinician: User, django_capture_on_commit_callbacks: Callable
) -> None:  # type: ignore[no-untyped-def]
    first = booked(episode, start=in_days(-2, 10))
    second = booked(episode, start=in_days(-1, 10))

    appointment_attendance_record(appointment_id=first.pk, attended=True, by=clinician)
    appointment_attendance_record(appointment_id=first.pk, attended=True, by=clinician)
    appointment_attendance_record(appointment_id=second.pk, attended=True, by=clinician)

    offer = FeedbackOffer.objects.get()
    assert (offer.episode_id, offer.stage) == (episode.pk, FeedbackStage.FIRST_APPOINTMENT)
    (invite,) = _invites()
    assert invite.recipient == episode.referral.email
    context = json.loads(invite.context_json)
    message = render_message(invite.channel, invite.template, context)
    assert indiscreet_words(f"{message.subject} {message.body}") == []
    assert "/clinician/feedback/" in message.body
    # The link holds ids only: nothing of the person's name or email.
    assert episode.referral.email not in context["link"] and episode.referral.name not in context["link"]


def test_a_missed_appointment_offers_nothing(episode, clinician: User) -> None:  # type: ignore[no-untyped-def]
    appointment_attendance_record(
        appointment_id=booked(episode, start=in_days(-2, 10)).pk, attended=False, by=clinician
    )

    assert not FeedbackOffer.objects.exists()
    assert _invites() == []


def test_discharge_offers_the_test_for_the_whole_of_their_care(episode, clinician: User) -> None:  # type: ignore[no-untyped-def]
    episode_discharge(episode_id=episode.pk, reason="completed", note="", by=clinician)

    assert list(FeedbackOffer.objects.values_list("stage", flat=True)) == [FeedbackStage.DISCHARGE]
    (invite,) = _invites()
    assert "come to an end" in render_message(invite.channel, invite.template, json.loads(invite.context_json)).body


# --- Answering ------------------------------------------------------------------------------


def test_an_answer_is_stored_without_anything_that_points_at_the_person(episode, client: Client) -> None:  # type: ignore[no-untyped-def]
    token = _offer(episode)
    audit_rows = AuditEvent.objects.count()

    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 14, 15, 9)), tick=False):
        response = client.post(
            f"/clinician/feedback/{token}/", {"rating": "good", "comment": "Kind and quick to reply."}
        )

    assert response.status_code == 302 and response["Location"] == "/clinician/feedback/thanks/"
    answer = FeedbackResponse.objects.get()
    assert (answer.stage, answer.month, answer.region, answer.profession, answer.rating) == (
        FeedbackStage.FIRST_APPOINTMENT,
        date(2026, 3, 1),
        "north-west",
        "dentist",
        FeedbackRating.GOOD,
    )
    assert answer.comment == "Kind and quick to reply."
    # No user, no episode, no time of day, no sequence: the answer's columns are these and no more.
    assert {f.name for f in FeedbackResponse._meta.concrete_fields} == {
        "id",
        "stage",
        "month",
        "region",
        "profession",
        "rating",
        "comment",
        "has_comment",
    }
    # The link's use is a keyed hash alone, sharing nothing with the answer.
    assert {f.name for f in FeedbackTokenUse._meta.concrete_fields} == {"digest"}
    used = FeedbackTokenUse.objects.get()
    assert len(used.digest) == 64 and set(used.digest) <= set("0123456789abcdef")
    # No audit row marks the moment someone answered.
    assert AuditEvent.objects.count() == audit_rows


def test_a_link_works_once_even_if_a_fresh_link_is_made_for_the_same_stage(episode, client: Client) -> None:  # type: ignore[no-untyped-def]
    token = _offer(episode)
    assert client.post(f"/clinician/feedback/{token}/", {"rating": "very-good"}).status_code == 302

    again = client.post(f"/clinician/feedback/{token}/", {"rating": "very-poor"})
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        fresh = feedback_token(episode_id=episode.pk, stage=FeedbackStage.FIRST_APPOINTMENT)
    assert fresh != token
    fresh_page = client.get(f"/clinician/feedback/{fresh}/")

    assert "You have already answered" in again.content.decode()
    assert "You have already answered" in fresh_page.content.decode()
    assert list(FeedbackResponse.objects.values_list("rating", flat=True)) == ["very-good"]


def test_each_stage_of_an_episode_can_answer_once(episode, client: Client) -> None:  # type: ignore[no-untyped-def]
    first = _offer(episode, FeedbackStage.FIRST_APPOINTMENT)
    discharge = _offer(episode, FeedbackStage.DISCHARGE)

    client.post(f"/clinician/feedback/{first}/", {"rating": "good"})
    client.post(f"/clinician/feedback/{discharge}/", {"rating": "dont-know"})

    assert sorted(FeedbackResponse.objects.values_list("stage", "rating")) == [
        (FeedbackStage.DISCHARGE, FeedbackRating.DONT_KNOW),
        (FeedbackStage.FIRST_APPOINTMENT, FeedbackRating.GOOD),
    ]


@pytest.mark.parametrize("mangle", ["forged", "truncated", "not-offered", "expired"])
def test_a_forged_mangled_unoffered_or_expired_link_is_not_found(episode, client: Client, mangle: str) -> None:  # type: ignore[no-untyped-def]
    token = _offer(episode)
    if mangle == "forged":
        token = feedback_token(episode_id=episode.pk, stage=FeedbackStage.FIRST_APPOINTMENT)[:-3] + "abc"
    elif mangle == "truncated":
        token = token[: len(token) // 2]
    elif mangle == "not-offered":
        token = feedback_token(episode_id=episode.pk, stage=FeedbackStage.DISCHARGE)

    with time_machine.travel(timezone.now() + timedelta(days=91 if mangle == "expired" else 0)):
        get = client.get(f"/clinician/feedback/{token}/")
        post = client.post(f"/clinician/feedback/{token}/", {"rating": "good"})

    assert (get.status_code, post.status_code) == (404, 404)
    assert not FeedbackResponse.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select how your experience was, or &#x27;Don&#x27;t know&#x27;"),
        ({"rating": "brilliant"}, "Select how your experience was"),
        ({"rating": "good", "comment": "x" * 2001}, "2000 characters or fewer"),
    ],
)
def test_bad_answers_get_a_clear_error_and_keep_what_was_typed(
    episode, client: Client, data: dict[str, str], message: str
) -> None:  # type: ignore[no-untyped-def]
    token = _offer(episode)

    response = client.post(f"/clinician/feedback/{token}/", data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert not FeedbackResponse.objects.exists() and not FeedbackTokenUse.objects.exists()


def test_the_answer_page_asks_the_nhs_question_with_its_six_answers(episode, client: Client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(f"/clinician/feedback/{_offer(episode)}/").content.decode()

    assert "Overall, how was your experience of our service?" in html
    assert "What was good, or what could be better?" in html
    for label in ("Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don&#x27;t know"):
        assert f"{label}</label>" in html or f"{label}\n</label>" in html or label in html
    # It names no one.
    assert episode.referral.name not in html


# --- The practitioner's own page ------------------------------------------------------------


def test_the_practitioners_appointments_page_links_to_the_test_until_it_is_answered(
    episode, practitioner: User, other_practitioner: User, client_for: Callable, client: Client
) -> None:  # type: ignore[no-untyped-def]
    token = _offer(episode)
    page = client_for(practitioner).get("/clinician/my/appointments/").content.decode()
    assert "Tell us about your experience: after the first appointment" in page
    assert (
        "Tell us how we did" not in client_for(other_practitioner).get("/clinician/my/appointments/").content.decode()
    )

    client.post(f"/clinician/feedback/{token}/", {"rating": "good"})

    assert "Tell us how we did" not in client_for(practitioner).get("/clinician/my/appointments/").content.decode()


# --- The comments, for the service admin only -----------------------------------------------


def _answer(comment: str, **fields: str) -> None:
    FeedbackResponse.objects.create(
        stage=fields.get("stage", FeedbackStage.DISCHARGE),
        month=date(2026, 3, 1),
        region="london",
        profession="doctor",
        rating=fields.get("rating", FeedbackRating.GOOD),
        comment=comment,
        has_comment=bool(comment),
    )


def test_the_service_admin_reads_comments_with_identifying_words_removed(
    admin_user: User, client_for: Callable
) -> None:
    _answer("Dr Okafor at St Mary's was great. Call me on 07700 900123 or email jo.bloggs@example.com, GMC 7123456.")
    _answer("")

    response = client_for(admin_user).get("/clinician/feedback/comments/")

    html = response.content.decode()
    assert response.status_code == 200
    for identifying in ("Okafor", "Mary", "07700", "900123", "jo.bloggs", "example.com", "7123456"):
        assert identifying not in html
    assert "[name removed]" in html and "[phone number removed]" in html and "[email removed]" in html
    assert "[number removed]" in html and "was great" in html
    assert AuditEvent.objects.filter(object_type="clinicians.feedback", actor=admin_user).exists()


@pytest.mark.parametrize("persona", ["commissioner", "clinician", "handler", "practitioner"])
def test_no_one_else_reads_the_comments(persona: str, request: pytest.FixtureRequest, client_for: Callable) -> None:
    _answer("Everything about my care was good.")

    response = client_for(request.getfixturevalue(persona)).get("/clinician/feedback/comments/")

    assert response.status_code == 403
    assert "Everything about my care" not in response.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The helpline was kind. Sarah listened.", "The helpline was kind. [name removed] listened."),
        ("I felt heard, thank you.", "I felt heard, thank you."),
        ("My GP and the NHS app were fine.", "My GP and the NHS app were fine."),
        (
            "We were seen at Leeds General in May",
            "We were seen at [name removed] [name removed] in [name removed]",
        ),
        ("Seen quickly.", "[name removed] quickly."),
        ("ring +44 7700 900123 please", "ring [phone number removed] please"),
        ("my number is 123456", "my number is [number removed]"),
        ("write to a.b@c.org", "write to [email removed]"),
    ],
)
def test_redaction_removes_names_numbers_emails_and_phones(text: str, expected: str) -> None:
    assert redact(text).text == expected
