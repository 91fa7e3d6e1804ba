"""Sending a referral: what is stored, what is sent, and that nothing is created twice or leaks."""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from practitioner_health.accounts.models import Role, User
from practitioner_health.audit.models import Action, AuditEvent
from practitioner_health.hours import UK
from practitioner_health.notifications.messages import indiscreet_words, render_message
from practitioner_health.notifications.models import Notification
from referrals.models import (
    Channel,
    DuplicateSubmission,
    Eligibility,
    EligibilityDecision,
    Referral,
    ReferralNeed,
    RegisterStatus,
    RequestLink,
    Status,
)
from referrals.services import REFERENCE_ALPHABET, reference_generate, referral_submit
from tests.factories import ReferralFactory, UserFactory
from tests.referrals.conftest import VALID_ANSWERS, answers, fill_in, put_answers, send
from tests.referrals.factories import RegisterEntryFactory

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"PH-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


def test_sending_creates_the_referral_with_everything_it_needs(submit_referral, web_client: Client) -> None:
    RegisterEntryFactory(number="7294613", surname="Tregothnan", status=RegisterStatus.REGISTERED)
    _, page = submit_referral()
    assert page.status_code == 200
    referral = Referral.objects.get()
    assert REFERENCE.fullmatch(referral.reference)
    assert referral.reference in page.content.decode()
    assert referral.channel == Channel.WEB and referral.status == Status.NEW and not referral.urgent
    assert (referral.profession, referral.register, referral.registration_number) == ("doctor", "GMC", "7294613")
    assert (referral.work_location, referral.career_stage, referral.work_region) == (
        "england",
        "consultant",
        "north-west",
    )
    assert (referral.seen_where, referral.seen_region) == ("region", "london")
    assert referral.name == "Dr Morwenna Tregothnan" and referral.preferred_name == "Wenna"
    assert str(referral.date_of_birth) == "1979-02-14"
    assert referral.email == "wenna.t@example.org" and referral.mobile == "+447700900417"
    assert (referral.voicemail_ok, referral.texts_ok) == (False, True)
    assert referral.best_times == "Weekday evenings" and referral.people_known.startswith("Dr Harold Pengelly")
    assert referral.heard_about == "colleague"
    assert set(ReferralNeed.objects.filter(referral=referral).values_list("need", flat=True)) == {"stress", "alcohol"}

    decision = EligibilityDecision.objects.get(referral=referral)
    assert decision.decision == referral.eligibility == Eligibility.ELIGIBLE
    assert {r["code"] for r in decision.reasons} == {"works-in-england", "registered"}
    snapshot = json.loads(decision.register_snapshot)
    assert snapshot["found"] and snapshot["status"] == "registered" and snapshot["surname_matched"]
    assert decision.decided_by is None


def test_a_number_missing_from_the_register_goes_to_a_handler_and_the_page_looks_the_same(submit_referral) -> None:
    _, page = submit_referral()
    referral = Referral.objects.get()
    assert referral.eligibility == Eligibility.NEEDS_REVIEW and referral.status == Status.NEW
    assert "register-not-found" in {r["code"] for r in referral.eligibility_decisions.get().reasons}
    assert "Referral sent" in page.content.decode()
    assert Notification.objects.filter(template="account_activation").exists(), "and a link to see it online"


def test_the_typed_email_gets_a_link_to_see_the_request_and_no_account_is_made_yet(submit_referral) -> None:
    submit_referral()
    referral = Referral.objects.get()
    assert referral.user is None and not User.objects.exists()
    activation = Notification.objects.get(template="account_activation")
    assert activation.recipient == "wenna.t@example.org" and activation.subject_id is None
    assert "/refer/your-request/" in activation.context["link"]
    assert RequestLink.objects.get().referral == referral


def test_an_existing_practitioner_account_is_never_linked_by_a_typed_email(submit_referral) -> None:
    """Only following the emailed link (proof of that mailbox) joins the referral to the account."""
    user = UserFactory(role=Role.PRACTITIONER, email="Wenna.T@example.org")
    submit_referral()
    assert Referral.objects.get().user is None
    assert User.objects.filter(role=Role.PRACTITIONER).get() == user
    # The same link as anyone else gets: following it, they sign in.
    assert Notification.objects.get(template="account_activation").recipient == "wenna.t@example.org"


def test_a_staff_account_with_the_same_email_is_never_linked(submit_referral) -> None:
    UserFactory(role=Role.HANDLER, email="wenna.t@example.org")
    submit_referral()
    referral = Referral.objects.get()
    assert referral.user is None
    # The typed address gets what anyone's would: whose address it is must not show.
    assert Notification.objects.filter(template="account_activation").exists()
    assert Notification.objects.filter(template="referral_received").exists()


def test_a_discreet_confirmation_email_and_text_are_queued(submit_referral) -> None:
    submit_referral()
    referral = Referral.objects.get()
    email = Notification.objects.get(template="referral_received", channel="email")
    text = Notification.objects.get(template="referral_received", channel="sms")
    assert email.recipient == "wenna.t@example.org" and text.recipient == "+447700900417"
    for notification in (email, text):
        message = render_message(notification.channel, notification.template, notification.context)
        assert referral.reference in message.body
        assert indiscreet_words(f"{message.subject} {message.body}") == []
        assert "PH Service" in message.body
    assert render_message("email", "referral_received", email.context).body.startswith("Dear Wenna,")


def test_no_text_is_sent_when_texts_are_not_safe(submit_referral) -> None:
    submit_referral(answers(contact_preferences={"voicemail_ok": "no", "texts_ok": "no", "best_times": ""}))
    assert not Notification.objects.filter(channel="sms").exists()
    assert Notification.objects.filter(template="referral_received", channel="email").exists()


def test_a_yes_to_self_harm_marks_the_referral_urgent_and_repeats_urgent_help(submit_referral) -> None:
    # A Tuesday at 10am, when the helpline is open (tests/referrals/test_out_of_hours.py has the rest).
    with time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=UK), tick=False):
        _, page = submit_referral(answers(safety={"self_harm": "yes"}))
    referral = Referral.objects.get()
    assert referral.urgent and referral.self_harm_thoughts
    assert Referral.objects.open().urgent().get() == referral
    html = page.content.decode()
    assert 'id="urgent-help"' in html and "we will try to call you back today (Tuesday 8 December)" in html
    # Nothing about it in the messages: they may be read by someone else.
    for notification in Notification.objects.all():
        assert "harm" not in render_message(notification.channel, notification.template, notification.context).body


def test_sending_is_audited(submit_referral) -> None:
    submit_referral()
    referral = Referral.objects.get()
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="referrals.referral")
    assert event.object_id == str(referral.pk) and event.subject_id == referral.user_id
    assert event.actor_id is None and event.detail == "referral submitted (website)"


def test_answers_are_cleared_after_sending_and_the_confirmation_shows_once(submit_referral) -> None:
    client, page = submit_referral()
    assert "Referral sent" in page.content.decode()
    again = client.get("/refer/confirmation/").content.decode()
    assert "This page is no longer available" in again and Referral.objects.get().reference not in again
    assert "Start your referral again" in client.get("/refer/check-your-answers/").content.decode()
    assert "Start your referral again" in client.get("/refer/name/").content.decode()
    assert 'value="Dr Morwenna Tregothnan"' not in client.get("/refer/name/").content.decode()


def test_the_confirmation_url_carries_no_reference() -> None:
    client = Client()
    fill_in(client, VALID_ANSWERS)
    response = send(client)
    assert response["Location"] == "/refer/confirmation/"
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]


def test_pressing_send_twice_creates_one_referral_and_shows_the_same_reference(web_client: Client) -> None:
    fill_in(web_client, VALID_ANSWERS)
    token = web_client.get("/refer/check-your-answers/").context["token"]
    first = web_client.post("/refer/check-your-answers/", {"token": token})
    first_page = web_client.get("/refer/confirmation/").content.decode()
    second = web_client.post("/refer/check-your-answers/", {"token": token})
    second_page = web_client.get("/refer/confirmation/").content.decode()
    assert first["Location"] == second["Location"] == "/refer/confirmation/"
    reference = Referral.objects.get().reference
    assert reference in first_page and reference in second_page
    assert Referral.objects.count() == 1
    assert Notification.objects.filter(template="referral_received", channel="email").count() == 1


def test_a_double_click_that_arrives_before_the_session_is_saved_still_creates_one_referral(
    web_client: Client,
) -> None:
    fill_in(web_client, VALID_ANSWERS)
    token = web_client.get("/refer/check-your-answers/").context["token"]
    saved = dict(web_client.session.items())
    web_client.post("/refer/check-your-answers/", {"token": token})
    # The second request carries the session as it was before the first one finished.
    session = web_client.session
    for key, value in saved.items():
        session[key] = value
    session.save()
    web_client.post("/refer/check-your-answers/", {"token": token})
    page = web_client.get("/refer/confirmation/").content.decode()
    assert Referral.objects.count() == 1
    assert Referral.objects.get().reference in page


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_of_one_form_create_one_referral() -> None:
    from referrals.flow import WEB, walk

    data = {slug: dict(v) for slug, v in VALID_ANSWERS.items()}
    referral_answers = walk(data, WEB).referral_answers()
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        barrier.wait()
        try:
            results.append(referral_submit(answers=referral_answers, submission_key="same-form"))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Referral.objects.count() == 1
    assert DuplicateSubmission.objects.count() == 0
    assert {result.reference for result in results} == {Referral.objects.get().reference}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_different_forms_for_one_number_create_one_open_referral() -> None:
    from referrals.flow import WEB, walk

    referral_answers = walk({slug: dict(v) for slug, v in VALID_ANSWERS.items()}, WEB).referral_answers()
    barrier = threading.Barrier(3)

    def submit(key: str) -> None:
        barrier.wait()
        try:
            referral_submit(answers=referral_answers, submission_key=key)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(f"form-{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Referral.objects.count() == 1
    assert DuplicateSubmission.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_simultaneous_referrals_with_one_email_and_two_numbers_both_go_through_unlinked() -> None:
    from dataclasses import replace

    from referrals.flow import WEB, walk

    base = walk({slug: dict(v) for slug, v in VALID_ANSWERS.items()}, WEB).referral_answers()
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def submit(number: str) -> None:
        barrier.wait()
        try:
            referral_submit(answers=replace(base, registration_number=number), submission_key=number)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in ("7294613", "7294614")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Referral.objects.count() == 2 and RequestLink.objects.count() == 2
    assert not User.objects.exists()
    assert {r.user_id for r in Referral.objects.all()} == {None}


def test_submitting_is_a_bounded_number_of_queries(web_client: Client, django_assert_max_num_queries: Any) -> None:
    RegisterEntryFactory(number="7294613", surname="Tregothnan")
    fill_in(web_client, VALID_ANSWERS)
    token = web_client.get("/refer/check-your-answers/").context["token"]
    with django_assert_max_num_queries(21):  # was 31 with one insert per message, 23 with two lookups each
        response = web_client.post("/refer/check-your-answers/", {"token": token})
    assert response.status_code == 302 and Referral.objects.count() == 1


def test_the_repeat_path_is_a_bounded_number_of_queries(web_client: Client, django_assert_max_num_queries: Any) -> None:
    ReferralFactory(registration_number="7294613")
    fill_in(web_client, VALID_ANSWERS)
    token = web_client.get("/refer/check-your-answers/").context["token"]
    with django_assert_max_num_queries(32):
        web_client.post("/refer/check-your-answers/", {"token": token})
    assert DuplicateSubmission.objects.count() == 1


# -- a second referral for a number that already has one ---------------------------------------


def _normalised(html: str) -> str:
    """The page with what is meant to differ blanked out: the reference and per-request tokens."""
    html = REFERENCE.sub("PH-XXXX-XXXX", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)


def _send_as_new_visitor(data: dict[str, Any]) -> tuple[Any, Any]:
    client = Client()
    fill_in(client, data)
    post = send(client)
    return post, client.get("/refer/confirmation/")


@pytest.mark.parametrize("urgent", [False, True])
def test_a_repeat_referral_looks_exactly_like_a_new_one_and_creates_nothing(urgent: bool) -> None:
    data = answers(safety={"self_harm": "yes" if urgent else "no"})
    new_post, new_page = _send_as_new_visitor(data)
    first = Referral.objects.get()
    repeat_post, repeat_page = _send_as_new_visitor(data)

    assert Referral.objects.count() == 1
    assert (new_post.status_code, new_post["Location"]) == (repeat_post.status_code, repeat_post["Location"])
    assert new_post.content == repeat_post.content
    for header in ("Content-Type", "Cache-Control", "Content-Length"):
        assert new_post.get(header) == repeat_post.get(header)
        assert new_page.get(header) == repeat_page.get(header)
    assert new_page.status_code == repeat_page.status_code == 200
    assert _normalised(new_page.content.decode()) == _normalised(repeat_page.content.decode())
    # The repeat shows its own, equally unguessable reference, never the real one.
    repeat_reference = REFERENCE.search(repeat_page.content.decode().split("nhsuk-panel__body")[1]).group(0)
    assert repeat_reference != first.reference
    assert DuplicateSubmission.objects.get().reference == repeat_reference


def test_someone_typing_another_doctors_number_learns_nothing_and_the_doctor_is_told() -> None:
    doctor = ReferralFactory(registration_number="7294613", email="real.doctor@example.org", texts_ok=True)
    stranger = answers(
        name={"name": "Someone Else", "preferred_name": ""},
        contact={"email": "curious@example.net", "mobile": "07700 900999"},
    )
    _, page = _send_as_new_visitor(stranger)
    html = page.content.decode()
    assert "Referral sent" in html and doctor.reference not in html and "real.doctor" not in html

    assert Referral.objects.count() == 1
    duplicate = DuplicateSubmission.objects.get()
    assert duplicate.referral == doctor and duplicate.email == "curious@example.net"
    # The doctor's own contact details hear about it, discreetly.
    told = Notification.objects.get(template="referral_repeat", channel="email")
    assert told.recipient == "real.doctor@example.org" and told.context["reference"] == doctor.reference
    assert Notification.objects.get(template="referral_repeat", channel="sms").recipient == doctor.mobile
    body = render_message("email", "referral_repeat", told.context).body
    assert indiscreet_words(body) == [] and "If you did not send it" in body
    # The person who typed it gets the same confirmation anyone would, with the repeat's reference.
    confirmation = Notification.objects.get(template="referral_received", channel="email")
    assert confirmation.recipient == "curious@example.net"
    assert confirmation.context["reference"] == duplicate.reference
    # ... and the same link to see their request online; it never shows the doctor's referral.
    link = Notification.objects.get(template="account_activation")
    assert link.recipient == "curious@example.net" and RequestLink.objects.get().duplicate == duplicate
    event = AuditEvent.objects.get(object_type="referrals.duplicatesubmission")
    assert event.subject_id == doctor.user_id


def test_a_repeat_from_the_same_person_gets_what_anyone_would_and_is_told_of_the_open_one(submit_referral) -> None:
    submit_referral()
    Notification.objects.all().delete()
    submit_referral()
    assert Referral.objects.count() == 1
    to_wenna = [
        n.template for n in Notification.objects.filter(channel="email") if n.recipient == "wenna.t@example.org"
    ]
    assert sorted(to_wenna) == ["account_activation", "referral_received", "referral_repeat"]
    assert all(n.recipient for n in Notification.objects.all()), "no message is queued to an empty address"


def test_a_repeat_that_mentions_self_harm_makes_the_open_referral_urgent() -> None:
    doctor = ReferralFactory(registration_number="7294613", urgent=False)
    _send_as_new_visitor(answers(safety={"self_harm": "yes"}))
    doctor.refresh_from_db()
    assert doctor.urgent
    assert DuplicateSubmission.objects.get().self_harm_thoughts


@pytest.mark.parametrize("status", [Status.DISCHARGED, Status.CLOSED])
def test_a_finished_referral_does_not_stop_a_new_one(status: Status) -> None:
    ReferralFactory(registration_number="7294613", status=status)
    _send_as_new_visitor(VALID_ANSWERS)
    assert Referral.objects.count() == 2
    assert not DuplicateSubmission.objects.exists()


# -- protection -----------------------------------------------------------------------------------


def test_a_bot_filling_the_honeypot_on_send_creates_nothing(web_client: Client) -> None:
    fill_in(web_client, VALID_ANSWERS)
    response = send(web_client, website="http://spam.example")
    assert response.status_code == 200
    assert "We could not accept this form" in response.content.decode()
    assert not Referral.objects.exists()


def test_an_out_of_date_send_button_asks_to_check_again(web_client: Client) -> None:
    fill_in(web_client, VALID_ANSWERS)
    web_client.get("/refer/check-your-answers/")
    response = web_client.post("/refer/check-your-answers/", {"token": "from-another-tab"})
    assert response.status_code == 200
    assert "Your answers may have changed since this page was loaded" in response.content.decode()
    assert not Referral.objects.exists()


def test_too_many_sends_from_one_address_are_refused(settings: Any) -> None:
    settings.REFERRAL_RATE_LIMIT_SUBMISSIONS = 2
    for n in range(2):
        _send_as_new_visitor(answers(registration={"number": f"729461{n}"}))
    client = Client()
    fill_in(client, answers(registration={"number": "7294619"}))
    assert send(client).status_code == 429
    assert Referral.objects.count() == 2


def test_nothing_personal_reaches_the_logs(caplog: pytest.LogCaptureFixture, submit_referral) -> None:
    ReferralFactory(registration_number="1234567")
    with caplog.at_level(logging.DEBUG):
        submit_referral()
        submit_referral(answers(registration={"number": "1234567"}))
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    for secret in ("Tregothnan", "Wenna", "wenna.t@example.org", "7294613", "1234567", "900417", "Pengelly"):
        assert secret not in logged


def test_encryption_at_rest_raw_sql_finds_no_personal_data(submit_referral) -> None:
    ReferralFactory(registration_number="7294613", email="first@example.org")
    submit_referral()  # a repeat: stored as a DuplicateSubmission
    submit_referral(
        answers(
            registration={"number": "7100555"},
            contact={"email": "second.person@example.org", "mobile": "07700 900 418"},
            name={"name": "Dr Ysolde Penhallow", "preferred_name": ""},
            needs={"needs": ["other"], "needs_other": "Insomnia after the inquest"},
            role={"career_stage": "other", "career_stage_other": "Medical examiner"},
        )
    )
    assert Referral.objects.count() == 2 and DuplicateSubmission.objects.count() == 1
    dump = ""
    with connection.cursor() as cursor:
        for table in (
            "referrals_referral",
            "referrals_referralneed",
            "referrals_eligibilitydecision",
            "referrals_duplicatesubmission",
            "notifications_notification",
            "accounts_user",
            "audit_auditevent",
            "django_session",
        ):
            cursor.execute(f"SELECT * FROM {table}")
            dump += repr(cursor.fetchall())
    for plaintext in (
        "Tregothnan",
        "Wenna",
        "Penhallow",
        "Ysolde",
        "wenna.t@example.org",
        "second.person@example.org",
        "07700 900",
        "7700900417",
        "7700900418",
        "7294613",
        "7100555",
        "Mersey Hospitals",
        "Pengelly",
        "Weekday evenings",
        "Insomnia",
        "Medical examiner",
        "1979-02-14",
    ):
        assert plaintext not in dump, plaintext


# -- the service on its own ----------------------------------------------------------------------


def _answers(**changes: dict[str, Any]) -> Any:
    from referrals.flow import WEB, walk

    return walk(answers(**changes), WEB).referral_answers()


def test_the_service_refuses_answers_that_are_not_a_doctors_own_referral() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="own referral"):
        referral_submit(answers=replace(_answers(), self_referral=False))
    with pytest.raises(ValueError, match="own referral"):
        referral_submit(answers=replace(_answers(), profession="medical-student"))


def test_an_ineligible_referral_is_closed_with_signposting_and_no_account() -> None:
    from dataclasses import replace

    result = referral_submit(answers=replace(_answers(), work_location="scotland"), channel=Channel.APP)
    referral = Referral.objects.get()
    assert referral.eligibility == Eligibility.INELIGIBLE and referral.status == Status.CLOSED
    assert referral.closed_reason == "ineligible"
    assert referral.closed_at is not None and referral.user is None
    assert result.ineligible and result.signposts == (("devolved-nations", "scotland"),)
    assert not Notification.objects.filter(template="account_activation").exists()
    # Closed, so it never blocks them referring again once they work in England.
    assert not Referral.objects.open().exists()


def test_references_are_random_unambiguous_and_unique(monkeypatch: pytest.MonkeyPatch) -> None:
    references = {reference_generate() for _ in range(200)}
    assert len(references) == 200
    assert all(REFERENCE.fullmatch(r) for r in references)
    assert not set("01IO") & set("".join(references).replace("PH-", "").replace("-", ""))
    assert set(REFERENCE_ALPHABET) == set("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")

    taken = ReferralFactory(reference="PH-2222-2222")
    picks = iter("2" * 8 + "3" * 8)
    monkeypatch.setattr("referrals.services.secrets.choice", lambda alphabet: next(picks))
    assert reference_generate() == "PH-3333-3333" != taken.reference


def test_a_practitioner_can_refer_again_from_the_same_browser_after_sending(submit_referral) -> None:
    client, _ = submit_referral()
    put_answers(client, answers(registration={"number": "7100556"}))
    assert send(client).status_code == 302
    assert Referral.objects.count() == 2
