"""The practitioner's own record through the API: only theirs, every read audited."""

from __future__ import annotations

import pytest

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action, AuditEvent
from practitioner_health.audit.services import audit_record
from referrals.models import PreferredContact, Referral
from selfhelp.models import SavedResult
from tests.factories import ReferralFactory
from tests.selfhelp.factories import SavedResultFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(practitioner: User) -> Referral:
    return ReferralFactory(
        in_care=True,
        user=practitioner,
        status="new",
        texts_ok=True,
        voicemail_ok=False,
        people_known="Dr Jones at St Elsewhere",
    )


def viewed(user: User, detail: str) -> bool:
    return AuditEvent.objects.filter(actor=user, subject=user, action=Action.VIEW, detail=detail).exists()


def test_my_referral_status_in_plain_words(api_for, practitioner: User, referral: Referral) -> None:  # type: ignore[no-untyped-def]
    response = api_for(practitioner).get("/api/v1/me/referral")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == referral.reference and body["status"] == "new"
    assert body["title"] == "We have received your referral"
    assert viewed(practitioner, "referral status (app)")


def test_without_a_referral_my_record_is_404(api_for, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    client = api_for(practitioner)
    for path in ("/api/v1/me/referral", "/api/v1/me/contact-preferences", "/api/v1/me/people-known"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_i_see_my_own_referral_never_anyone_elses(  # type: ignore[no-untyped-def]
    api_for, practitioner: User, other_practitioner: User, referral: Referral
) -> None:
    ReferralFactory(in_care=True, user=other_practitioner, people_known="Someone secret")
    body = api_for(practitioner).get("/api/v1/me/people-known").json()
    assert body == {"people_known": "Dr Jones at St Elsewhere"}
    assert "Someone secret" not in str(api_for(practitioner).get("/api/v1/me/referral").content)


def test_contact_preferences_read_and_change_with_the_websites_rules(  # type: ignore[no-untyped-def]
    api_for, practitioner: User, referral: Referral
) -> None:
    client = api_for(practitioner)
    body = client.get("/api/v1/me/contact-preferences").json()
    assert body == {"preferred_contact": "phone", "voicemail_ok": False, "texts_ok": True, "best_times": ""}
    assert viewed(practitioner, "contact preferences (app)")

    response = client.patch(
        "/api/v1/me/contact-preferences", {"preferred_contact": "text", "best_times": "After 6pm"}, format="json"
    )
    assert response.status_code == 200 and response.json()["preferred_contact"] == "text"
    referral.refresh_from_db()
    assert referral.preferred_contact == PreferredContact.TEXT and referral.best_times == "After 6pm"
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(referral.pk), actor=practitioner).exists()

    refused = client.patch("/api/v1/me/contact-preferences", {"texts_ok": False}, format="json")
    assert refused.status_code == 422 and "texts_ok" in refused.json()["fields"]
    bad = client.patch("/api/v1/me/contact-preferences", {"preferred_contact": "pigeon"}, format="json")
    assert bad.status_code == 422 and "preferred_contact" in bad.json()["fields"]
    referral.refresh_from_db()
    assert referral.texts_ok


def test_people_known_is_replaced_and_limited_like_the_website(  # type: ignore[no-untyped-def]
    api_for, practitioner: User, referral: Referral
) -> None:
    client = api_for(practitioner)
    assert client.get("/api/v1/me/people-known").status_code == 200
    assert viewed(practitioner, "people you know (app)")
    response = client.put("/api/v1/me/people-known", {"people_known": "  Dr Patel  "}, format="json")
    assert response.status_code == 200 and response.json() == {"people_known": "Dr Patel"}
    too_long = client.put("/api/v1/me/people-known", {"people_known": "x" * 2001}, format="json")
    assert too_long.status_code == 422 and too_long.json()["fields"]["people_known"]
    assert client.put("/api/v1/me/people-known", {}, format="json").status_code == 422


def test_saved_results_are_listed_saved_and_read_mine_only(  # type: ignore[no-untyped-def]
    api_for, practitioner: User, other_practitioner: User, django_assert_max_num_queries
) -> None:
    SavedResultFactory.create_batch(30, user=practitioner)
    theirs = SavedResultFactory(user=other_practitioner)
    client = api_for(practitioner)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/me/results")
    assert response.status_code == 200 and response.json()["count"] == 30
    assert len(response.json()["results"]) == 25
    assert viewed(practitioner, "saved results (app)")

    saved = client.post("/api/v1/me/results", {"measure": "GAD-7", "answers": [3] * 7}, format="json")
    assert saved.status_code == 201 and saved.json()["band"] == "severe"
    mine = SavedResult.objects.get(pk=saved.json()["id"])
    assert mine.user == practitioner and mine.answers == [3] * 7
    partial = client.post("/api/v1/me/results", {"measure": "GAD-7", "answers": [3]}, format="json")
    assert partial.status_code == 422

    assert client.get(f"/api/v1/me/results/{mine.pk}").json()["total"] == 21
    assert client.get(f"/api/v1/me/results/{theirs.pk}").status_code == 404


def test_the_access_log_shows_who_else_looked_and_is_itself_audited(  # type: ignore[no-untyped-def]
    api_for, practitioner: User, handler: User, referral: Referral
) -> None:
    from practitioner_health.audit import context

    token = context.current.set(context.RequestContext(request_id="test", actor_id=handler.pk, actor_role="handler"))
    try:
        audit_record(action=Action.VIEW, obj=referral, subject_id=practitioner.pk, detail="referral")
    finally:
        context.current.reset(token)
    client = api_for(practitioner)
    client.get("/api/v1/me/referral")  # their own look is not listed
    response = client.get("/api/v1/me/access-log")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 1 and "helpline handler" in rows[0]["who"].lower()
    assert "Viewed your referral" in rows[0]["what"]
    assert viewed(practitioner, "record access history (app)")


def test_i_stop_my_referral_from_the_app(api_for, practitioner: User, referral: Referral) -> None:  # type: ignore[no-untyped-def]
    client = api_for(practitioner)
    assert client.get("/api/v1/me/referral").json()["can_stop"] is True

    response = client.post("/api/v1/me/referral/stop")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["closed_reason"], body["can_stop"]) == ("closed", "withdrawn", False)
    assert body["title"] == "You stopped this referral"
    referral.refresh_from_db()
    assert referral.status == "closed"
    assert AuditEvent.objects.filter(
        actor=practitioner, subject=practitioner, detail="referral closed: stopped by the practitioner"
    ).exists()
    again = client.post("/api/v1/me/referral/stop")
    assert again.status_code == 409
    assert again.json()["code"] == "cannot_stop" and "already finished" in again.json()["message"]


def test_with_a_clinician_stopping_is_refused_with_where_to_go(api_for, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(in_care=True, user=practitioner, status="assigned")
    client = api_for(practitioner)
    assert client.get("/api/v1/me/referral").json()["can_stop"] is False

    response = client.post("/api/v1/me/referral/stop")

    assert response.status_code == 409
    assert "talk to them, or call the helpline" in response.json()["message"]
    referral.refresh_from_db()
    assert referral.status == "assigned"


def test_stopping_without_a_referral_is_404(api_for, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    response = api_for(practitioner).post("/api/v1/me/referral/stop")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
