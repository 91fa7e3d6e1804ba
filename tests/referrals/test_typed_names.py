"""What a person types never breaks their referral (issue 18, item 10).

The discretion check refuses messages that say what the service is for. It reads the
service's own words, never a person's name: surnames such as Drugan or Methven contain
"drug" and "meth", and their referrals must go through like anyone's, on the website and
in the app, new or repeat, and be sent.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from practitioner_health.notifications.messages import IndiscreetMessageError, render_message
from practitioner_health.notifications.models import Notification
from practitioner_health.notifications.models import Status as SendStatus
from practitioner_health.notifications.services import notification_send, notify
from referrals.models import DuplicateSubmission, Referral
from tests.factories import ReferralFactory
from tests.referrals.conftest import answers, fill_in, send

pytestmark = pytest.mark.django_db

NAMES = ["Dr Aoife Drugan", "Dr Callum Methven", "Dr Sam Alcoholado-Mentalist"]


def _typed(name: str) -> dict:
    return answers(name={"name": name, "preferred_name": ""})


@pytest.mark.parametrize("name", NAMES)
def test_a_surname_containing_a_refused_word_submits_on_the_website(name: str) -> None:
    client = Client()
    fill_in(client, _typed(name))
    response = send(client)
    assert response.status_code == 302 and response["Location"] == "/refer/confirmation/"
    page = client.get("/refer/confirmation/")
    assert page.status_code == 200 and "Referral sent" in page.content.decode()
    referral = Referral.objects.get()
    assert referral.name == name
    received = Notification.objects.get(template="referral_received", channel="email")
    assert received.context["name"] == name


@pytest.mark.parametrize("name", NAMES)
def test_a_surname_containing_a_refused_word_submits_in_the_app(name: str, api: APIClient) -> None:
    body = {"submission_id": "app-submission-0001", "answers": _typed(name)}
    response = api.post("/api/v1/referrals", body, format="json")
    assert response.status_code == 201, response.content
    assert Referral.objects.get().name == name


def test_a_repeat_request_for_a_doctor_with_such_a_surname_goes_through_and_tells_them() -> None:
    doctor = ReferralFactory(registration_number="7294613", name="Dr Aoife Drugan", email="aoife@example.org")
    client = Client()
    fill_in(client, _typed("Dr Callum Methven"))
    assert send(client).status_code == 302
    assert DuplicateSubmission.objects.get().referral == doctor
    told = Notification.objects.get(template="referral_repeat", channel="email")
    assert told.context["name"] == "Dr Aoife Drugan"


def test_the_message_sent_carries_the_name_as_typed() -> None:
    client = Client()
    fill_in(client, _typed("Dr Aoife Drugan"))
    send(client)
    received = Notification.objects.get(template="referral_received", channel="email")
    assert notification_send(notification_id=received.pk) == SendStatus.SENT
    [email] = mail.outbox
    assert "Dear Dr Aoife Drugan," in email.body


def test_an_indiscreet_template_is_still_refused_whatever_the_name(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "notifications"
    folder.mkdir()
    (folder / "typed_name_test.sms.txt").write_text("Dear {{ name }}, your therapy appointment is tomorrow")
    (folder / "typed_place_test.sms.txt").write_text("Dear {{ name }}, see you at {{ place }}")
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES]

    with pytest.raises(IndiscreetMessageError, match="therapy"):
        render_message("sms", "typed_name_test", {"name": "Dr Aoife Drugan"})
    with pytest.raises(IndiscreetMessageError, match="therapy"):
        notify(
            channel="sms",
            template="typed_name_test",
            recipient="+447700900123",
            context={"name": "Ann"},
            idempotency_key="k1",
        )
    # Words the service supplies (a place, a time) are still checked: only a typed name is left out.
    with pytest.raises(IndiscreetMessageError, match="alcohol"):
        render_message("sms", "typed_place_test", {"name": "Ann", "place": "The Alcohol Unit"})
    assert render_message("sms", "typed_place_test", {"name": "Dr Callum Methven", "place": "Room 4"}).body == (
        "Dear Dr Callum Methven, see you at Room 4"
    )
    assert not Notification.objects.exists()


def test_a_reference_never_spells_a_refused_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """References go in every message: one like PH-DRUG-7K3D would be refused, and read on a lock screen."""
    from referrals.services import reference_generate

    picks = iter("DRUG7K3D" + "7K3D9QXM")
    monkeypatch.setattr("referrals.services.secrets.choice", lambda alphabet: next(picks))
    assert reference_generate() == "PH-7K3D-9QXM"
