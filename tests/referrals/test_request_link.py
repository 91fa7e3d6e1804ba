"""No oracle, and no account linked by a typed email (issue 18, items 1 and 2).

Whatever is typed into the self-referral, the typed email and mobile get the same messages,
and the request joins an account only once the link sent to the typed email has been
followed (proof of control of that mailbox), or when a signed-in practitioner sends it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import hashers
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from practitioner_health.accounts.models import Role, User
from practitioner_health.audit.models import AuditEvent
from practitioner_health.notifications.models import Notification
from referrals.models import DuplicateSubmission, Referral, RequestLink, Status
from tests.factories import ReferralFactory, UserFactory
from tests.referrals.conftest import VALID_ANSWERS, answers, fill_in, send

pytestmark = pytest.mark.django_db

TYPED_EMAIL = "wenna.t@example.org"
TYPED_MOBILE = "+447700900417"
PASSWORD = "correct horse battery staple"
LINK = re.compile(r"/refer/your-request/([0-9a-f]{64})/")


def _send(data: dict[str, Any] | None = None, client: Client | None = None) -> Client:
    client = client or Client()
    fill_in(client, data or VALID_ANSWERS)
    response = send(client)
    assert response.status_code == 302 and response["Location"] == "/refer/confirmation/"
    assert client.get("/refer/confirmation/").status_code == 200
    return client


def _to_typed_address() -> list[tuple[str, str]]:
    """What the typed email and mobile were sent: (channel, template), in order."""
    return sorted(
        (n.channel, n.template) for n in Notification.objects.all() if n.recipient in (TYPED_EMAIL, TYPED_MOBILE)
    )


def _link_path() -> str:
    [message] = [n for n in Notification.objects.filter(template="account_activation") if n.recipient == TYPED_EMAIL]
    found = LINK.search(message.context["link"])
    assert found, message.context["link"]
    return found.group(0)


def _set_password(client: Client) -> Any:
    page = client.get("/refer/your-request/")
    assert page.status_code == 200 and "Set a password to see your request" in page.content.decode()
    return client.post("/refer/your-request/", {"new_password1": PASSWORD, "new_password2": PASSWORD})


# -- item 1: the same messages, pages and work, whatever is typed -------------------------------


def test_the_typed_address_gets_the_same_messages_whether_or_not_the_number_is_already_referred() -> None:
    ReferralFactory(registration_number="7294613", email="real.doctor@example.org", texts_ok=True)
    _send(answers(registration={"number": "7294614"}))  # nobody has this number: a new referral
    new_referral = _to_typed_address()
    Notification.objects.all().delete()
    _send()  # a number with an open referral: a repeat request

    assert DuplicateSubmission.objects.count() == 1 and Referral.objects.count() == 2
    assert (
        _to_typed_address()
        == new_referral
        == [
            ("email", "account_activation"),
            ("email", "referral_received"),
            ("sms", "referral_received"),
        ]
    )


def test_a_stranger_typing_a_patients_number_and_email_gets_what_a_new_referral_gets() -> None:
    """Registration numbers are public: the typed address must not learn that a doctor is a patient."""
    patient = UserFactory(role=Role.PRACTITIONER, email=TYPED_EMAIL)
    ReferralFactory(user=patient, registration_number="7294613", email=TYPED_EMAIL)
    _send()
    repeat = [(c, t) for c, t in _to_typed_address() if t != "referral_repeat"]

    Referral.objects.update(status=Status.CLOSED)
    Notification.objects.all().delete()
    _send()
    assert repeat == _to_typed_address()


def test_no_password_is_hashed_and_no_account_is_made_when_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    """The slow work (password hashing) happens on neither path, so timing cannot tell them apart."""
    hashed: list[object] = []
    real = hashers.get_hasher
    monkeypatch.setattr(hashers, "get_hasher", lambda *a, **k: hashed.append(a) or real(*a, **k))

    _send()
    _send()

    assert hashed == []
    assert not User.objects.exists()
    assert Referral.objects.get().user is None and DuplicateSubmission.objects.get().user is None


def test_a_new_referral_and_a_repeat_request_do_about_the_same_work() -> None:
    counts = []
    for _ in range(2):
        client = Client()
        fill_in(client, VALID_ANSWERS)
        token = client.get("/refer/check-your-answers/").context["token"]
        with CaptureQueriesContext(connection) as queries:
            client.post("/refer/check-your-answers/", {"token": token})
        counts.append(len(queries))
    assert DuplicateSubmission.objects.count() == 1
    new, repeat = counts
    # A new referral also writes its needs and eligibility decision, inside a savepoint: a few
    # quick inserts in the same transaction, nothing like a password hash or a network call.
    assert abs(new - repeat) <= 4, counts


def test_the_app_sends_the_typed_address_the_same_messages_for_a_repeat(api: APIClient) -> None:
    ReferralFactory(registration_number="7294613", email="real.doctor@example.org")
    body = {"submission_id": "app-submission-0001", "answers": answers(registration={"number": "7294614"})}
    assert api.post("/api/v1/referrals", body, format="json").status_code == 201
    new_referral = _to_typed_address()
    Notification.objects.all().delete()
    body = {"submission_id": "app-submission-0002", "answers": VALID_ANSWERS}
    assert api.post("/api/v1/referrals", body, format="json").status_code == 201

    assert DuplicateSubmission.objects.count() == 1
    assert _to_typed_address() == new_referral
    assert ("email", "account_activation") in new_referral


# -- item 2: a typed email never links to an account without proof -----------------------------


def test_a_strangers_referral_with_a_practitioners_email_stays_off_the_practitioners_pages(
    client_for: Callable[[User], Client], api_for: Callable[[User], APIClient]
) -> None:
    practitioner = UserFactory(role=Role.PRACTITIONER, email=TYPED_EMAIL)
    _send(answers(name={"name": "Dr Someone Else", "preferred_name": ""}))

    referral = Referral.objects.get()
    assert referral.user is None and referral.linked_at is None
    home = client_for(practitioner).get("/refer/my/").content.decode()
    assert referral.reference not in home and "We do not have a referral for you yet" in home
    assert api_for(practitioner).get("/api/v1/me/referral").status_code == 404


def test_following_the_link_and_setting_a_password_joins_the_referral_to_the_new_account(
    client_for: Callable[[User], Client],
) -> None:
    _send()
    referral = Referral.objects.get()
    path = _link_path()

    visitor = Client()
    first = visitor.get(path)
    assert first.status_code == 303 and first["Location"] == "/refer/your-request/"
    response = _set_password(visitor)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")

    user = User.objects.get_by_email(TYPED_EMAIL)
    assert user is not None and user.role == Role.PRACTITIONER
    assert user.email == TYPED_EMAIL and user.check_password(PASSWORD)
    referral.refresh_from_db()
    assert referral.user == user and referral.linked_at is not None
    assert RequestLink.objects.get().used_at is not None
    assert referral.reference in client_for(user).get("/refer/my/").content.decode()
    assert AuditEvent.objects.filter(subject=user, detail="linked to your account from the emailed link").exists()


def test_the_token_leaves_the_address_bar_at_once_and_the_link_works_once() -> None:
    _send()
    path = _link_path()
    token = path.rstrip("/").rsplit("/", 1)[1]
    visitor = Client()
    moved = visitor.get(path)
    assert token not in moved["Location"]
    page = visitor.get(moved["Location"])
    assert token not in page.content.decode()
    _set_password(visitor)

    again = Client()
    again.get(path)
    refused = again.get("/refer/your-request/")
    assert refused.status_code == 400 and "expired or has already been used" in refused.content.decode()


def test_an_expired_link_links_nothing() -> None:
    _send()
    path = _link_path()
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        visitor = Client()
        visitor.get(path)
        assert visitor.get("/refer/your-request/").status_code == 400
        response = visitor.post("/refer/your-request/", {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 400
    assert not User.objects.exists() and Referral.objects.get().user is None


def test_an_existing_account_signs_in_first_and_then_the_referral_joins_it(
    client_for: Callable[[User], Client],
) -> None:
    practitioner = UserFactory(role=Role.PRACTITIONER, email=TYPED_EMAIL)
    _send()
    path = _link_path()

    visitor = Client()
    visitor.get(path)
    to_sign_in = visitor.get("/refer/your-request/")
    assert to_sign_in.status_code == 302
    assert to_sign_in["Location"] == "/account/sign-in/?next=/refer/your-request/"
    assert Referral.objects.get().user is None

    signed_in = client_for(practitioner, visitor)  # signing in keeps the session's link
    done = signed_in.get("/refer/your-request/")
    assert done.status_code == 302 and done["Location"] == "/refer/my/"
    assert Referral.objects.get().user == practitioner


def test_signed_in_as_another_account_the_link_joins_nothing(
    client_for: Callable[[User], Client], other_practitioner: User
) -> None:
    _send()
    client = client_for(other_practitioner)
    client.get(_link_path())
    page = client.get("/refer/your-request/")
    assert page.status_code == 403 and "Sign out to use this link" in page.content.decode()
    assert Referral.objects.get().user is None
    assert RequestLink.objects.get().used_at is None, "still usable by the right person"


def test_a_staff_email_is_never_linked_even_through_the_link(handler: User) -> None:
    handler.email = TYPED_EMAIL
    handler.save()
    _send()
    visitor = Client()
    visitor.get(_link_path())
    page = visitor.get("/refer/your-request/")
    assert page.status_code == 200 and "We have received your request" in page.content.decode()
    assert Referral.objects.get().user is None


def test_a_signed_in_staff_member_following_a_link_to_their_own_address_links_nothing(
    client_for: Callable[[User], Client], handler: User
) -> None:
    handler.email = TYPED_EMAIL
    handler.save()
    _send()
    client = client_for(handler)
    client.get(_link_path())
    page = client.get("/refer/your-request/")
    assert page.status_code == 200 and "We have received your request" in page.content.decode()
    assert Referral.objects.get().user is None


def test_a_repeat_requests_link_leads_to_the_same_pages_and_never_to_the_open_referral(
    client_for: Callable[[User], Client], api_for: Callable[[User], APIClient]
) -> None:
    patient = ReferralFactory(registration_number="7294613", email="real.doctor@example.org")
    stranger_data = answers(people_known={"people_known": ""})
    _send(stranger_data)
    duplicate = DuplicateSubmission.objects.get()

    visitor = Client()
    assert visitor.get(_link_path())["Location"] == "/refer/your-request/"
    response = _set_password(visitor)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")

    stranger = User.objects.get(role=Role.PRACTITIONER)
    duplicate.refresh_from_db()
    patient.refresh_from_db()
    assert duplicate.user == stranger and patient.user_id is None
    home = client_for(stranger).get("/refer/my/").content.decode()
    assert "We have received your referral" in home and duplicate.reference in home
    assert patient.reference not in home and patient.name not in home
    for page in ("/refer/my/contact-preferences/", "/refer/my/people-you-know/", "/refer/my/stop-referral/"):
        assert client_for(stranger).get(page).status_code == 200, page
    status = api_for(stranger).get("/api/v1/me/referral").json()
    assert status["reference"] == duplicate.reference and status["status"] == "new" and status["can_stop"]

    # Stopping it stops the stranger's request, never the open referral it repeats.
    assert client_for(stranger).post("/refer/my/stop-referral/").status_code == 302
    patient.refresh_from_db()
    duplicate.refresh_from_db()
    assert patient.status == Status.NEW and duplicate.closed_at is not None


def test_a_repeat_request_asks_for_a_call_back_like_any_referral_and_the_call_goes_to_the_typed_number(
    client_for: Callable[[User], Client], api_for: Callable[[User], APIClient]
) -> None:
    """ "Ask us to call you" was a 404 for someone holding a repeat request, and a form for a new
    referral's holder: that difference told them the number was already referred."""
    from practitioner_health.crypto import normalise_phone
    from triage.models import Callback

    patient = ReferralFactory(registration_number="7294613", email="real.doctor@example.org", mobile="+447700900111")
    _send(answers(people_known={"people_known": ""}))
    assert DuplicateSubmission.objects.exists(), "the number was already referred"
    visitor = Client()
    visitor.get(_link_path())
    _set_password(visitor)
    holder = User.objects.get(role=Role.PRACTITIONER)
    day = timezone.localdate() + timedelta(days=1)
    if day.weekday() == 6:
        day += timedelta(days=1)

    client = client_for(holder)
    assert client.get("/helpline/my/callback/").status_code == 200
    response = client.post("/helpline/my/callback/", {"day": day.strftime("%d/%m/%Y"), "window": "afternoon"})
    assert response.status_code == 302
    assert b"We will call you" in client.get("/helpline/my/callback/").content
    made = api_for(holder).post("/api/v1/me/callbacks", {"day": day.isoformat(), "window": "evening"}, format="json")
    assert made.status_code == 201

    calls = list(Callback.objects.all())
    assert len(calls) == 2
    assert all(call.referral_id is None and call.phone == normalise_phone(TYPED_MOBILE) for call in calls)
    assert not Callback.objects.filter(referral=patient).exists(), "the open referral's owner is never rung for it"


def test_the_pages_after_following_a_link_are_the_same_for_a_new_referral_and_a_repeat(
    client_for: Callable[[User], Client],
) -> None:
    """What a stranger sees: set a password, then a home page saying the request was received."""
    seen = []
    for email in ("first@example.org", "second@example.org"):
        Notification.objects.all().delete()
        _send(answers(contact={"email": email, "mobile": "07700 900 417"}))
        [message] = Notification.objects.filter(template="account_activation")
        visitor = Client()
        visitor.get(LINK.search(message.context["link"]).group(0))
        form = visitor.get("/refer/your-request/").content.decode()
        visitor.post("/refer/your-request/", {"new_password1": PASSWORD, "new_password2": PASSWORD})
        home = client_for(User.objects.get_by_email(email))
        page = home.get("/refer/my/").content.decode()
        page = re.sub(r"PH-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", "PH-XXXX-XXXX", page)
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        seen.append((re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", form), page))
    assert DuplicateSubmission.objects.count() == 1
    assert seen[0] == seen[1]


def test_a_signed_in_practitioner_sending_their_own_referral_has_it_at_once(
    client_for: Callable[[User], Client], practitioner: User
) -> None:
    _send(client=client_for(practitioner))
    referral = Referral.objects.get()
    assert referral.user == practitioner and referral.linked_at is not None


def test_the_app_links_a_referral_at_once_only_for_the_signed_in_practitioner(
    api: APIClient, api_for: Callable[[User], APIClient], practitioner: User
) -> None:
    body = {"submission_id": "app-submission-0001", "answers": VALID_ANSWERS}
    assert api.post("/api/v1/referrals", body, format="json").status_code == 201
    assert Referral.objects.get().user is None
    Referral.objects.update(status=Status.CLOSED)
    body["submission_id"] = "app-submission-0002"
    assert api_for(practitioner).post("/api/v1/referrals", body, format="json").status_code == 201
    assert Referral.objects.get(status=Status.NEW).user == practitioner
