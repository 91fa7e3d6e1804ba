"""Every way a referral closes cancels the helpline's callbacks still to come; a closed referral
offers no triage or callbacks until a handler reopens it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from api.tokens import token_issue
from practitioner_health.accounts.models import User
from practitioner_health.audit.models import AuditEvent
from referrals.models import ClosedReason, Eligibility, Referral, Status
from tests.api.conftest import client_with_token
from tests.factories import ReferralFactory
from triage.models import Callback, CallbackReason, CallbackStatus, TriageAssessment
from triage.services.callbacks import callback_request

pytestmark = pytest.mark.django_db


def _scheduled(referral: Referral) -> list[Callback]:
    now = timezone.now()
    return [
        callback_request(reason=CallbackReason.HANDLER, referral=referral, due_at=now + timedelta(hours=2)),
        callback_request(reason=CallbackReason.PRACTITIONER, referral=referral, due_at=now + timedelta(days=1)),
    ]


def _handler_closes(reason: str) -> Callable[..., None]:
    def close(referral: Referral, client_for, handler: User, practitioner: User) -> None:  # type: ignore[no-untyped-def]
        response = client_for(handler).post(f"/helpline/referral/{referral.pk}/close/", {"reason": reason})
        assert response.status_code == 302

    return close


def _practitioner_stops_on_the_web(referral: Referral, client_for, handler: User, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    assert client_for(practitioner).post("/refer/my/stop-referral/").status_code == 302


def _practitioner_stops_in_the_app(referral: Referral, client_for, handler: User, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    client = client_with_token(token_issue(user=practitioner).secret)
    assert client.post("/api/v1/me/referral/stop").status_code == 200


def _handler_decides_not_eligible(referral: Referral, client_for, handler: User, practitioner: User) -> None:  # type: ignore[no-untyped-def]
    Referral.objects.filter(pk=referral.pk).update(eligibility=Eligibility.NEEDS_REVIEW)
    response = client_for(handler).post(
        f"/helpline/referral/{referral.pk}/eligibility/",
        {"decision": "ineligible", "reason": "Works in Scotland: told them about their service"},
    )
    assert response.status_code == 302


CLOSING_PATHS = {
    "helpline-declined": (_handler_closes(ClosedReason.DECLINED), ClosedReason.DECLINED),
    "helpline-not-reached": (_handler_closes(ClosedReason.NOT_REACHED), ClosedReason.NOT_REACHED),
    "helpline-withdrawn": (_handler_closes(ClosedReason.WITHDRAWN), ClosedReason.WITHDRAWN),
    "practitioner-web": (_practitioner_stops_on_the_web, ClosedReason.WITHDRAWN),
    "practitioner-app": (_practitioner_stops_in_the_app, ClosedReason.WITHDRAWN),
    "helpline-not-eligible": (_handler_decides_not_eligible, ClosedReason.INELIGIBLE),
}


def test_the_paths_here_are_every_reason_a_referral_closes_before_care() -> None:
    assert {reason for _, reason in CLOSING_PATHS.values()} == set(ClosedReason)


@pytest.mark.parametrize("path", list(CLOSING_PATHS))
@pytest.mark.parametrize("status", [Status.NEW, Status.CONTACTED, Status.TRIAGED])
def test_every_path_that_closes_a_referral_cancels_its_callbacks(
    path: str, status: Status, client_for, handler: User, practitioner: User
) -> None:  # type: ignore[no-untyped-def]
    close, reason = CLOSING_PATHS[path]
    referral = ReferralFactory(user=practitioner, status=status, eligibility=Eligibility.ELIGIBLE)
    callbacks = _scheduled(referral)
    other = ReferralFactory()
    untouched = _scheduled(other)

    close(referral, client_for, handler, practitioner)

    referral.refresh_from_db()
    assert (referral.status, referral.closed_reason) == (Status.CLOSED, reason)
    assert {c.status for c in Callback.objects.filter(pk__in=[c.pk for c in callbacks])} == {CallbackStatus.CANCELLED}
    assert not Callback.objects.due(timezone.now() + timedelta(days=2)).filter(referral=referral).exists()
    assert {c.status for c in Callback.objects.filter(pk__in=[c.pk for c in untouched])} == {CallbackStatus.SCHEDULED}


def test_not_eligible_for_someone_with_a_clinician_is_refused_clearly_and_nothing_changes(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(status=Status.ASSIGNED, eligibility=Eligibility.NEEDS_REVIEW)
    callbacks = _scheduled(referral)
    response = client_for(handler).post(
        f"/helpline/referral/{referral.pk}/eligibility/",
        {"decision": "ineligible", "reason": "Not registered"},
        follow=True,
    )
    assert "This person is with a clinician" in response.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.eligibility) == (Status.ASSIGNED, Eligibility.NEEDS_REVIEW)
    assert not referral.eligibility_decisions.exists()
    assert {c.status for c in Callback.objects.filter(pk__in=[c.pk for c in callbacks])} == {CallbackStatus.SCHEDULED}


# --- A closed record: no triage or callbacks until reopened ---------------------------------


def _closed() -> Referral:
    # Eligibility not yet decided, so a decision slipping through the closed record would show.
    return ReferralFactory(
        status=Status.CLOSED, closed_reason=ClosedReason.DECLINED, closed_at=timezone.now(), eligibility=""
    )


def test_a_closed_record_offers_no_triage_or_callback_and_offers_reopening(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = _closed()
    page = client_for(handler).get(f"/helpline/referral/{referral.pk}/").content.decode()
    for url in ("triage", "callback", "eligibility", "match", "close"):
        assert f'href="/helpline/referral/{referral.pk}/{url}/"' not in page
    assert "no triage or callbacks until it is reopened" in page
    assert f'action="/helpline/referral/{referral.pk}/reopen/"' in page
    assert "They got back in touch" in page


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("triage", {"risk_level": "low", "needs": ["assessment"], "urgency": "routine", "pathway": "therapy"}),
        ("callback", {"due_date": "01/01/2030", "due_time": "10:00"}),
        ("eligibility", {"decision": "eligible", "reason": "Checked"}),
        ("match", {"clinician": "1"}),
    ],
)
def test_a_closed_referral_refuses_triage_and_callbacks_with_a_clear_message(client_for, handler, url, data) -> None:  # type: ignore[no-untyped-def]
    referral = _closed()
    client = client_for(handler)
    for response in (
        client.post(f"/helpline/referral/{referral.pk}/{url}/", data, follow=True),
        client.get(f"/helpline/referral/{referral.pk}/{url}/", follow=True),
    ):
        assert response.redirect_chain[-1][0] == f"/helpline/referral/{referral.pk}/"
        assert "This referral is closed. Reopen it first" in response.content.decode()
    assert not TriageAssessment.objects.filter(referral=referral).exists()
    assert not Callback.objects.filter(referral=referral).exists()
    referral.refresh_from_db()
    assert (referral.status, referral.eligibility) == (Status.CLOSED, "")


def test_a_handler_reopens_a_closed_referral_with_a_reason_and_can_triage_again(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = _closed()
    client = client_for(handler)
    refused = client.post(f"/helpline/referral/{referral.pk}/reopen/", {})
    assert "Select why you are reopening this referral" in refused.content.decode()

    response = client.post(f"/helpline/referral/{referral.pk}/reopen/", {"reason": "closed_in_error"}, follow=True)

    page = response.content.decode()
    assert "Referral reopened" in page
    assert f'href="/helpline/referral/{referral.pk}/triage/"' in page
    referral.refresh_from_db()
    assert referral.status == Status.NEW and referral.closed_at is None
    assert AuditEvent.objects.filter(
        actor=handler, object_id=str(referral.pk), detail="referral reopened: closed by mistake"
    ).exists()
    dashboard = client.get("/helpline/").content.decode()
    new_queue = dashboard[dashboard.index('id="queue-new"') : dashboard.index('id="queue-contacted"')]
    assert referral.reference in new_queue


def test_reopening_when_they_have_referred_again_says_which_referral_to_use(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = _closed()
    newer = ReferralFactory(
        registration_number=referral.registration_number, registration_index=referral.registration_index
    )
    response = client_for(handler).post(f"/helpline/referral/{referral.pk}/reopen/", {"reason": "back_in_touch"})
    assert response.status_code == 200
    assert f"They have another open referral, {newer.reference}" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED


def test_an_open_referral_cannot_be_reopened(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    response = client_for(handler).post(
        f"/helpline/referral/{referral.pk}/reopen/", {"reason": "back_in_touch"}, follow=True
    )
    assert "This referral is not closed." in response.content.decode()
