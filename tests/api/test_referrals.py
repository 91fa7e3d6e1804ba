"""Self-referral through the API: the website's questions, eligibility, duplicates and limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from referrals.models import Channel, DuplicateSubmission, Eligibility, Referral, RegisterStatus, Status
from tests.referrals.conftest import VALID_ANSWERS, answers, fill_in, send
from tests.referrals.factories import RegisterEntryFactory

pytestmark = pytest.mark.django_db

# Everything about a referral that comes from the answers and the eligibility rules.
COMPARED = (
    "status urgent profession register registration_number registration_index work_location career_stage "
    "career_stage_other work_region employer seen_where seen_region needs_other self_harm_thoughts heard_about "
    "name preferred_name date_of_birth email mobile mobile_index voicemail_ok texts_ok best_times people_known "
    "preferred_contact eligibility user_id"
).split()


def submit(api: APIClient, data: dict[str, Any] | None = None, submission_id: str = "app-submission-0001"):  # type: ignore[no-untyped-def]
    body = {"submission_id": submission_id, "answers": data or VALID_ANSWERS}
    return api.post("/api/v1/referrals", body, format="json")


def snapshot(referral: Referral) -> dict[str, Any]:
    decision = referral.eligibility_decisions.get()
    return {
        **{name: getattr(referral, name) for name in COMPARED},
        "needs": sorted(referral.needs.values_list("need", flat=True)),
        "decision": decision.decision,
        "reasons": decision.reasons,
        "register_snapshot": json.loads(decision.register_snapshot),
    }


def test_a_referral_from_the_app_is_stored_like_one_from_the_website(api: APIClient) -> None:
    RegisterEntryFactory(number="7294613", surname="Tregothnan", status=RegisterStatus.REGISTERED)
    web = Client()
    fill_in(web, VALID_ANSWERS)
    assert send(web).status_code == 302
    from_web = Referral.objects.get()
    expected = snapshot(from_web)
    # Close it, so the app's referral is a new one rather than a repeat request.
    Referral.objects.filter(pk=from_web.pk).update(status=Status.CLOSED)

    response = submit(api)
    assert response.status_code == 201
    body = response.json()
    from_app = Referral.objects.exclude(pk=from_web.pk).get()
    assert body["reference"] == from_app.reference and not body["ineligible"] and not body["urgent"]
    assert from_app.channel == Channel.APP and from_web.channel == Channel.WEB
    got = snapshot(from_app)
    got["status"] = expected["status"] = None  # the first was closed by hand above
    assert got == expected
    assert expected["decision"] == Eligibility.ELIGIBLE


def test_sending_the_same_submission_again_gives_the_same_answer_and_one_referral(api: APIClient) -> None:
    first = submit(api).json()
    second = submit(api).json()
    assert first == second and Referral.objects.count() == 1


def test_a_repeat_request_for_an_open_referral_looks_exactly_like_a_new_one(api: APIClient) -> None:
    first = submit(api, submission_id="first-submission-01")
    repeat = submit(api, submission_id="second-submission-1")
    assert first.status_code == repeat.status_code == 201
    a, b = first.json(), repeat.json()
    assert a.keys() == b.keys() and a["reference"] != b["reference"]
    assert {k: v for k, v in a.items() if k != "reference"} == {k: v for k, v in b.items() if k != "reference"}
    assert Referral.objects.count() == 1
    assert DuplicateSubmission.objects.get().reference == b["reference"]


def test_a_self_harm_answer_marks_it_urgent_and_returns_crisis_contacts(api: APIClient) -> None:
    body = submit(api, answers(safety={"self_harm": "yes"})).json()
    assert body["urgent"] and any("116 123" in c["detail"] for c in body["crisis"])
    assert Referral.objects.get().urgent


def test_missing_and_invalid_answers_are_422_page_and_field_by_field(api: APIClient) -> None:
    missing = {slug: data for slug, data in VALID_ANSWERS.items() if slug != "registration"}
    response = submit(api, missing)
    assert response.status_code == 422 and list(response.json()["fields"]) == ["registration"]
    response = submit(api, answers(registration={"number": "12"}))
    assert response.status_code == 422 and response.json()["fields"]["registration.number"]
    response = submit(api, answers(contact={"email": "nope", "mobile": ""}))
    assert set(response.json()["fields"]) == {"contact.email", "contact.mobile"}
    response = api.post("/api/v1/referrals", {"answers": VALID_ANSWERS}, format="json")
    assert response.status_code == 422 and "submission_id" in response.json()["fields"]
    assert not Referral.objects.exists()


def test_a_referral_for_someone_else_is_refused_with_advice(api: APIClient) -> None:
    response = submit(api, answers(self={"is_self": "no"}))
    assert response.status_code == 422 and response.json()["code"] == "third_party"
    assert not Referral.objects.exists()


def test_a_doctor_in_scotland_is_pointed_to_their_nations_service(api: APIClient) -> None:
    response = submit(api, answers(work_location={"work_location": "scotland"}))
    assert response.status_code == 422 and response.json()["code"] == "devolved_nation"
    assert response.json()["signposting"] and all(e["nation"] == "scotland" for e in response.json()["signposting"])


def test_submissions_share_the_websites_rate_limit(api: APIClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REFERRAL_RATE_LIMIT_SUBMISSIONS = 2
    statuses = [submit(api, submission_id=f"submission-number-{n:03d}").status_code for n in range(3)]
    assert statuses == [201, 201, 429]
    assert submit(api, submission_id="submission-number-999").json()["code"] == "rate_limited"
