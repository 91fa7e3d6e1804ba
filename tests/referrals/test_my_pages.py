"""The practitioner's own pages: status, contact preferences, people they know, who has seen their record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action, AuditEvent
from referrals.models import Eligibility, PreferredContact, Referral, Status
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(practitioner: User) -> Referral:
    return ReferralFactory(
        user=practitioner,
        voicemail_ok=False,
        texts_ok=True,
        best_times="After 6pm",
        people_known="Dr Harold Pengelly",
    )


@pytest.fixture
def me(practitioner: User, client_for: Callable[[User], Client]) -> Client:
    return client_for(practitioner)


STATUS_WORDS = [
    (Status.NEW, Eligibility.ELIGIBLE, "We have received your referral"),
    (Status.NEW, Eligibility.NEEDS_REVIEW, "We are checking your registration details"),
    (Status.CONTACTED, Eligibility.ELIGIBLE, "Our helpline has been in touch"),
    (Status.TRIAGED, Eligibility.ELIGIBLE, "We are finding the right clinician for you"),
    (Status.ASSIGNED, Eligibility.ELIGIBLE, "You have a clinician"),
    (Status.DISCHARGED, Eligibility.ELIGIBLE, "Your care with us has finished"),
    (Status.CLOSED, Eligibility.ELIGIBLE, "This referral is closed"),
    (Status.CLOSED, Eligibility.INELIGIBLE, "We could not accept this referral"),
]


@pytest.mark.parametrize(("status", "eligibility", "words"), STATUS_WORDS)
def test_the_landing_page_says_where_the_referral_is_in_plain_words(
    me: Client, practitioner: User, status: Status, eligibility: Eligibility, words: str
) -> None:
    referral = ReferralFactory(user=practitioner, status=status, eligibility=eligibility)
    html = me.get("/refer/my/").content.decode()
    assert words in html and referral.reference in html
    assert "needs_review" not in html and "triaged" not in html


def test_the_landing_page_shows_contact_preferences_and_is_audited(
    me: Client, practitioner: User, referral: Referral
) -> None:
    html = me.get("/refer/my/").content.decode()
    assert "A phone call" in html and "After 6pm" in html
    assert 'href="/refer/my/contact-preferences/"' in html and 'href="/refer/my/record-access/"' in html
    event = AuditEvent.objects.get(action=Action.VIEW, detail="referral status")
    assert event.object_id == str(referral.pk) and event.subject_id == practitioner.pk
    assert event.actor_id == practitioner.pk


def test_a_practitioner_without_a_referral_is_told_how_to_refer(me: Client) -> None:
    html = me.get("/refer/my/").content.decode()
    assert "We do not have a referral for you yet" in html
    assert me.get("/refer/my/contact-preferences/").status_code == 404
    assert me.get("/refer/my/people-you-know/").status_code == 404


def test_the_pages_only_ever_show_the_practitioners_own_referral(
    me: Client, referral: Referral, other_practitioner: User
) -> None:
    theirs = ReferralFactory(user=other_practitioner, best_times="Only on Sundays", people_known="Dr Zebedee Quill")
    for url in ("/refer/my/", "/refer/my/contact-preferences/", "/refer/my/people-you-know/"):
        html = me.get(url).content.decode()
        assert theirs.reference not in html and "Only on Sundays" not in html and "Zebedee" not in html
    me.post("/refer/my/people-you-know/", {"people_known": "Nobody"})
    theirs.refresh_from_db()
    assert theirs.people_known == "Dr Zebedee Quill"


def test_the_latest_referral_is_the_one_shown(me: Client, practitioner: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    old = ReferralFactory(
        user=practitioner, status=Status.DISCHARGED, submitted_at=timezone.now() - timedelta(days=400)
    )
    new = ReferralFactory(user=practitioner)
    html = me.get("/refer/my/").content.decode()
    assert new.reference in html and old.reference not in html


def test_changing_contact_preferences(me: Client, referral: Referral, practitioner: User) -> None:
    html = me.get("/refer/my/contact-preferences/").content.decode()
    assert 'value="phone" checked' in html and "After 6pm" in html
    assert AuditEvent.objects.filter(action=Action.VIEW, detail="contact preferences").exists()
    response = me.post(
        "/refer/my/contact-preferences/",
        {"preferred_contact": "email", "voicemail_ok": "yes", "texts_ok": "no", "best_times": " Lunchtimes "},
    )
    assert response["Location"] == "/refer/my/"
    referral.refresh_from_db()
    assert (referral.preferred_contact, referral.voicemail_ok, referral.texts_ok) == ("email", True, False)
    assert referral.best_times == "Lunchtimes"
    event = AuditEvent.objects.get(action=Action.UPDATE, detail="contact preferences")
    assert event.subject_id == practitioner.pk and event.object_id == str(referral.pk)
    assert "Your contact preferences have been saved." in me.get("/refer/my/").content.decode()


def test_contact_preferences_that_contradict_each_other_are_explained(me: Client, referral: Referral) -> None:
    response = me.post(
        "/refer/my/contact-preferences/",
        {"preferred_contact": PreferredContact.TEXT, "voicemail_ok": "no", "texts_ok": "no"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select yes if we can send you text messages, or choose another way to contact you" in html
    assert 'value="text" checked' in html
    referral.refresh_from_db()
    assert referral.preferred_contact == PreferredContact.PHONE


def test_contact_preferences_need_every_answer(me: Client, referral: Referral) -> None:
    html = me.post("/refer/my/contact-preferences/", {}).content.decode()
    for message in (
        "Select how you would like us to contact you first",
        "Select yes if we can leave you a voicemail",
        "Select yes if we can send you text messages",
    ):
        assert message in html


def test_changing_the_people_i_know_list(me: Client, referral: Referral, practitioner: User) -> None:
    assert "Dr Harold Pengelly" in me.get("/refer/my/people-you-know/").content.decode()
    response = me.post("/refer/my/people-you-know/", {"people_known": "Dr Harold Pengelly\nDr Ann Trelawny"})
    assert response["Location"] == "/refer/my/"
    referral.refresh_from_db()
    assert referral.people_known == "Dr Harold Pengelly\nDr Ann Trelawny"
    assert AuditEvent.objects.filter(action=Action.UPDATE, detail="people you know", subject=practitioner).exists()
    too_long = me.post("/refer/my/people-you-know/", {"people_known": "x" * 2001})
    assert "This must be 2000 characters or fewer" in too_long.content.decode()


def _staff_event(actor: User | None, subject: User, **fields: Any) -> AuditEvent:
    defaults = {
        "action": Action.VIEW,
        "object_type": "referrals.referral",
        "object_id": "1",
        "detail": "helpline record",
        "request_id": "req-7f3a9c21d4",
        "ip_address": "203.0.113.9",
    }
    return AuditEvent.objects.create(
        actor=actor, actor_role=actor.role if actor else "", subject=subject, **{**defaults, **fields}
    )


def test_who_has_seen_my_record_lists_staff_by_name_and_role_without_ids_or_addresses(
    me: Client, practitioner: User, other_practitioner: User
) -> None:
    handler = UserFactory(role="handler", full_name="Sam Helpline")
    clinician = UserFactory(role="clinician", full_name="Dr Jo Therapist")
    _staff_event(handler, practitioner)
    _staff_event(clinician, practitioner, action=Action.UPDATE, detail="triage assessment")
    _staff_event(None, practitioner, action=Action.CREATE, object_type="referrals.duplicatesubmission")
    _staff_event(practitioner, practitioner, detail="my own look")  # their own activity
    _staff_event(handler, other_practitioner, detail="someone else's record")

    html = me.get("/refer/my/record-access/").content.decode()
    assert "Sam Helpline, helpline handler" in html and "Viewed your referral (helpline record)" in html
    assert "Dr Jo Therapist, clinician" in html and "Changed your referral (triage assessment)" in html
    assert "The online referral form" in html and "another referral request made with your registration number" in html
    assert "my own look" not in html and "someone else&#x27;s record" not in html
    assert "req-7f3a9c21d4" not in html and "203.0.113.9" not in html
    assert AuditEvent.objects.filter(action=Action.VIEW, detail="record access history", subject=practitioner).exists()


def test_the_access_list_is_paged_and_its_query_count_does_not_grow(
    me: Client, practitioner: User, django_assert_max_num_queries: Any
) -> None:
    handlers = [UserFactory(role="handler", full_name=f"Handler {n}") for n in range(5)]
    for n in range(3):
        _staff_event(handlers[n % 5], practitioner)
    with django_assert_max_num_queries(20) as few:
        me.get("/refer/my/record-access/")
    for n in range(60):
        _staff_event(handlers[n % 5], practitioner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = me.get("/refer/my/record-access/")
    html = first.content.decode()
    assert html.count('<tr class="nhsuk-table__row">') == 1 + 25
    assert 'href="?page=2"' in html
    assert me.get("/refer/my/record-access/?page=3").content.decode().count('<tr class="nhsuk-table__row">') == 1 + 13
    assert me.get("/refer/my/record-access/?page=not-a-number").status_code == 200


def test_an_empty_access_list_says_so(me: Client) -> None:
    assert "Nobody else has looked at your record yet" in me.get("/refer/my/record-access/").content.decode()


@pytest.mark.parametrize("persona", ["handler", "clinician", "commissioner", "admin_user"])
def test_staff_cannot_open_a_practitioners_pages(persona: str, request: pytest.FixtureRequest, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(persona))
    for url in (
        "/refer/my/",
        "/refer/my/contact-preferences/",
        "/refer/my/people-you-know/",
        "/refer/my/record-access/",
    ):
        assert client.get(url).status_code == 403
