"""A handler logging a self-referral for a doctor or dentist on the phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action, AuditEvent
from practitioner_health.notifications.models import Notification
from referrals.models import Channel, Referral
from tests.referrals.conftest import VALID_ANSWERS, answers, fill_in, put_answers

pytestmark = pytest.mark.django_db

PHONE = "/refer/phone/"


@pytest.fixture
def handler_client(handler: User, client_for: Callable[[User], Client]) -> Client:
    client = client_for(handler)
    assert client.post(PHONE)["Location"] == f"{PHONE}self/"
    return client


def test_a_handler_takes_a_referral_by_phone_and_must_confirm_who_they_are_speaking_to(
    handler_client: Client, handler: User
) -> None:
    fill_in(handler_client, VALID_ANSWERS, prefix=PHONE)
    page = handler_client.get(f"{PHONE}check-your-answers/")
    html = page.content.decode()
    assert "I confirm I am speaking to the doctor or dentist themselves" in html
    assert 'name="website"' not in html, "no honeypot on a staff page"
    token = page.context["token"]

    refused = handler_client.post(f"{PHONE}check-your-answers/", {"token": token})
    assert refused.status_code == 200
    assert '<a href="#id_confirm_caller">Confirm that you are speaking to the doctor or dentist themselves</a>' in (
        refused.content.decode()
    )
    assert not Referral.objects.exists()

    sent = handler_client.post(f"{PHONE}check-your-answers/", {"token": token, "confirm_caller": "on"})
    assert sent["Location"] == f"{PHONE}confirmation/"
    referral = Referral.objects.get()
    assert referral.channel == Channel.PHONE and referral.name == "Dr Morwenna Tregothnan"
    confirmation = handler_client.get(f"{PHONE}confirmation/").content.decode()
    assert referral.reference in confirmation and "read the reference number to the caller" in confirmation
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="referrals.referral")
    assert event.actor_id == handler.pk and event.actor_role == "handler"
    assert event.detail == "referral submitted (phone (logged by a handler))"
    # The doctor still gets their confirmation and account link.
    assert Notification.objects.filter(template="referral_received").exists()
    assert Notification.objects.filter(template="account_activation").exists()


def test_phone_questions_are_worded_for_the_caller_and_refuse_third_parties(handler_client: Client) -> None:
    html = handler_client.get(f"{PHONE}self/").content.decode()
    assert "Is the caller referring themselves?" in html and "Phone referral" in html
    assert "Exit this page" not in html
    response = handler_client.post(f"{PHONE}self/", {"is_self": "no"})
    assert response["Location"] == f"{PHONE}not-self/"
    html = handler_client.get(f"{PHONE}not-self/").content.decode()
    assert "What to tell the caller" in html


def test_an_urgent_phone_referral_is_flagged_for_the_handler(handler_client: Client) -> None:
    fill_in(handler_client, answers(safety={"self_harm": "yes"}), prefix=PHONE)
    html = handler_client.get(f"{PHONE}name/").content.decode()
    assert 'id="urgent-help"' in html and "Read these numbers to the caller" in html
    token = handler_client.get(f"{PHONE}check-your-answers/").context["token"]
    handler_client.post(f"{PHONE}check-your-answers/", {"token": token, "confirm_caller": "on"})
    assert Referral.objects.get().urgent
    html = handler_client.get(f"{PHONE}confirmation/").content.decode()
    assert "This referral is marked urgent" in html and 'id="urgent-help"' in html


def test_starting_a_new_phone_referral_forgets_the_last_caller(handler_client: Client) -> None:
    fill_in(handler_client, VALID_ANSWERS, prefix=PHONE)
    assert "Continue the referral in progress" in handler_client.get(PHONE).content.decode()
    handler_client.post(PHONE)
    html = handler_client.get(f"{PHONE}name/").content.decode()
    assert "Start the referral again" in html and "Tregothnan" not in html


def test_the_phone_form_and_the_public_form_keep_separate_answers(handler_client: Client) -> None:
    put_answers(handler_client, VALID_ANSWERS)  # the public form's answers, in the same browser
    assert "Start the referral again" in handler_client.get(f"{PHONE}check-your-answers/").content.decode()


@pytest.mark.parametrize("persona", ["practitioner", "clinician", "commissioner"])
def test_other_roles_cannot_take_phone_referrals(persona: str, request: pytest.FixtureRequest, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(persona))
    assert client.get(PHONE).status_code == 403
    assert client.post(f"{PHONE}self/", {"is_self": "yes"}).status_code == 403
    assert Client().get(f"{PHONE}check-your-answers/").status_code == 302
