"""The handler's dashboard and a referral's helpline record."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from practitioner_health.audit.models import AuditEvent
from practitioner_health.notifications.models import Notification
from referrals.models import Eligibility, Referral, Status
from tests.factories import ReferralFactory, UserFactory
from triage.models import Callback, CallbackReason, CallLog, CallOutcome, RiskLevel, TriageAssessment
from triage.services.callbacks import callback_request

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_each_queue_most_urgent_first(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    urgent = ReferralFactory(urgent=True, self_harm_thoughts=True)
    new = ReferralFactory(eligibility=Eligibility.ELIGIBLE)
    review = ReferralFactory(eligibility=Eligibility.NEEDS_REVIEW)
    triaged = ReferralFactory(status=Status.TRIAGED)
    callback_request(reason=CallbackReason.HANDLER, referral=new, due_at=timezone.now() - timedelta(minutes=5))
    page = client_for(handler).get("/helpline/").content.decode()
    order = [
        page.index(f'<h2 id="queue-{key}">{title}')
        for key, title in (
            ("urgent", "Urgent and high risk, not yet seen"),
            ("callbacks-due", "Callbacks due now"),
            ("new", "New referrals awaiting first contact"),
            ("contacted", "Contacted, not yet triaged"),
            ("reviews", "Eligibility reviews"),
        )
    ]
    assert order == sorted(order)
    for referral in (urgent, new, review, triaged):
        assert referral.reference in page
    urgent_section = page[page.index('id="queue-urgent"') : page.index('id="queue-callbacks-due"')]
    assert urgent.reference in urgent_section and new.reference not in urgent_section
    assert f">{urgent.name}</a>" in urgent_section, "queue rows name the person"


def test_the_dashboard_query_count_stays_flat_with_500_referrals(
    client_for, handler, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    def failed_text_about(referral: Referral) -> None:
        Notification.objects.create(
            channel="sms",
            template="referral_received",
            recipient="+447700900123",
            idempotency_key=f"failed:{referral.pk}",
            status="failed",
            last_error="21211",
            subject=UserFactory(),
        )
        referral.user = Notification.objects.latest("id").subject
        referral.save(update_fields=["user"])

    client = client_for(handler)
    client.get("/helpline/")  # the first page of a sign-in notes the activity in the session
    # Queues already longer than the dashboard shows (each shown list then counts its whole
    # queue), callbacks and failed messages: then many times as much of everything.
    ReferralFactory.create_batch(55, urgent=True)
    ReferralFactory.create_batch(55, eligibility=Eligibility.NEEDS_REVIEW)
    for referral in ReferralFactory.create_batch(11):
        callback_request(reason=CallbackReason.HANDLER, referral=referral, due_at=timezone.now())
        failed_text_about(referral)
    with django_assert_max_num_queries(30) as few:
        client.get("/helpline/")
    ReferralFactory.create_batch(200, urgent=True)
    ReferralFactory.create_batch(190, eligibility=Eligibility.NEEDS_REVIEW)
    for referral in ReferralFactory.create_batch(30):
        callback_request(reason=CallbackReason.HANDLER, referral=referral, due_at=timezone.now())
        failed_text_about(referral)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/helpline/")
    page = response.content.decode()
    assert "Showing the first 10 of 255" in page
    assert 'href="/helpline/queues/urgent/">See all 255' in page
    assert page.count("Error 21211") == 10  # each failed message shown with its referral
    assert 'href="/helpline/queues/failed-messages/">See all 41' in page


def test_a_whole_queue_is_paged_oldest_first(client_for, handler, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    waiting = [ReferralFactory(submitted_at=now - timedelta(hours=n)) for n in range(120, 0, -1)]
    ReferralFactory(urgent=True)  # another queue's
    client = client_for(handler)
    client.get("/helpline/")

    first = client.get("/helpline/queues/new/").content.decode()
    assert "Showing 1 to 50 of 120." in first
    shown = [referral.reference for referral in waiting if referral.reference in first]
    assert shown == [referral.reference for referral in waiting[:50]]
    assert first.index(waiting[0].reference) < first.index(waiting[49].reference)
    assert 'href="?page=2"' in first and 'aria-label="Page 3"' in first

    with django_assert_max_num_queries(12) as few:
        last = client.get("/helpline/queues/new/", {"page": "3"}).content.decode()
    assert "Showing 101 to 120 of 120." in last
    assert waiting[100].reference in last and waiting[99].reference not in last
    ReferralFactory.create_batch(200)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/helpline/queues/new/", {"page": "3"})


def test_a_queue_page_copes_with_odd_addresses(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    ReferralFactory.create_batch(3)
    client = client_for(handler)
    client.get("/helpline/")
    for page in ("0", "-1", "999", "two", "1" * 400):
        response = client.get("/helpline/queues/new/", {"page": page})
        assert response.status_code == 200, page  # the nearest real page, not an error
        assert response.content.decode().count('href="/helpline/referral/') == 3
    assert client.get("/helpline/queues/no-such-queue/").status_code == 404
    empty = client.get("/helpline/queues/failed-callbacks/").content.decode()
    assert "Nothing waiting." in empty


def test_a_handler_finds_a_referral_by_reference_or_registration_number(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(registration_number="7654321")
    from referrals.eligibility import registration_index

    referral.registration_index = registration_index("GMC", "7654321")
    referral.save()
    client = client_for(handler)
    by_reference = client.post("/helpline/", {"q": referral.reference.lower()})
    assert f'href="/helpline/referral/{referral.pk}/"'.encode() in by_reference.content
    by_number = client.post("/helpline/", {"q": "765 4321"})
    assert f'href="/helpline/referral/{referral.pk}/"'.encode() in by_number.content
    nothing = client.post("/helpline/", {"q": "1111111"})
    assert b"No referral matches" in nothing.content


def test_the_search_is_posted_so_what_was_typed_is_in_no_address(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    client = client_for(handler)
    page = client.get("/helpline/").content.decode()
    search = re.search(r'<form method="(\w+)" action="/helpline/"[^>]*>', page)
    assert search and search.group(1) == "post", "the search form posts"
    # A reference in the address is ignored: no search ran, nothing was shown or audited.
    leaked = client.get("/helpline/", {"q": referral.reference})
    assert b"Search results" not in leaked.content
    found = client.post("/helpline/", {"q": referral.reference})
    assert f'href="/helpline/referral/{referral.pk}/"'.encode() in found.content


def test_viewing_a_referral_is_audited_and_shows_contact_preferences(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(voicemail_ok=False, texts_ok=True)
    page = client_for(handler).get(f"/helpline/referral/{referral.pk}/")
    assert page.status_code == 200
    assert b"Do not leave a voicemail" in page.content and b"Safe to text" in page.content
    event = AuditEvent.objects.get(object_id=str(referral.pk), detail="helpline record")
    assert event.actor_id == handler.pk


def test_an_unknown_referral_is_404(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    assert client_for(handler).get("/helpline/referral/999999/").status_code == 404


def test_logging_an_answered_call_counts_as_first_contact(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    response = client_for(handler).post(
        f"/helpline/referral/{referral.pk}/call/",
        {
            "direction": "outbound",
            "channel": "phone",
            "outcome": "answered",
            "duration_minutes": "12",
            "notes": "Talked through options",
        },
    )
    assert response.status_code == 302
    call = CallLog.objects.get(referral=referral)
    assert call.duration_seconds == 720 and call.notes == "Talked through options" and call.handler == handler
    referral.refresh_from_db()
    assert referral.status == Status.CONTACTED and referral.first_contact_at is not None


def test_a_call_form_with_errors_keeps_what_was_typed(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    response = client_for(handler).post(
        f"/helpline/referral/{referral.pk}/call/",
        {"direction": "outbound", "duration_minutes": "ten", "notes": "Kept text"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Select phone, email or in person" in content
    assert "Enter the length as a whole number of minutes" in content
    assert "Kept text" in content
    assert not CallLog.objects.exists()


def test_an_anonymous_enquiry_is_logged_without_a_referral(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    client_for(handler).post(
        "/helpline/enquiry/",
        {
            "direction": "inbound",
            "channel": "email",
            "outcome": CallOutcome.ENQUIRY_ANSWERED,
            "notes": "Asked about eligibility",
        },
    )
    call = CallLog.objects.get()
    assert call.is_anonymous_enquiry and call.channel == "email"


def test_a_handler_schedules_a_callback(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    due = timezone.localtime() + timedelta(days=1)
    client_for(handler).post(
        f"/helpline/referral/{referral.pk}/callback/", {"due_date": due.strftime("%d/%m/%Y"), "due_time": "10:30"}
    )
    callback = Callback.objects.get(referral=referral)
    assert callback.reason == CallbackReason.HANDLER
    assert timezone.localtime(callback.due_at).strftime("%H:%M") == "10:30"


def test_a_callback_in_the_past_is_refused_clearly(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    response = client_for(handler).post(
        f"/helpline/referral/{referral.pk}/callback/", {"due_date": "01/01/2020", "due_time": "10:30"}
    )
    assert b"The callback time must be now or in the future" in response.content
    assert not Callback.objects.exists()


TRIAGE = {
    "risk_level": "moderate",
    "needs": ["assessment", "cbt"],
    "urgency": "soon",
    "pathway": "therapy",
    "notes": "Burnout after rota change",
}


def test_triage_moves_the_referral_to_awaiting_a_clinician(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    assert client_for(handler).post(f"/helpline/referral/{referral.pk}/triage/", TRIAGE).status_code == 302
    assessment = TriageAssessment.objects.get(referral=referral)
    assert assessment.needs == ["assessment", "cbt"] and assessment.notes == "Burnout after rota change"
    referral.refresh_from_db()
    assert referral.status == Status.TRIAGED


def test_immediate_risk_shows_the_crisis_procedure_and_cannot_be_saved_without_an_action(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    client = client_for(handler)
    response = client.post(f"/helpline/referral/{referral.pk}/triage/", {**TRIAGE, "risk_level": "immediate"})
    content = response.content.decode()
    assert "follow the crisis procedure" in content.lower()
    assert "record the action you took before saving" in content
    assert "Burnout after rota change" in content, "what was typed is kept"
    assert not TriageAssessment.objects.exists()
    response = client.post(
        f"/helpline/referral/{referral.pk}/triage/",
        {**TRIAGE, "risk_level": "immediate", "immediate_action": "999 called"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.urgent is True
    assert TriageAssessment.objects.get().risk_level == RiskLevel.IMMEDIATE


def test_a_handler_decides_eligibility_after_review(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(eligibility=Eligibility.NEEDS_REVIEW)
    client_for(handler).post(
        f"/helpline/referral/{referral.pk}/eligibility/",
        {"decision": "eligible", "reason": "Confirmed new surname by phone"},
    )
    referral.refresh_from_db()
    assert referral.eligibility == Eligibility.ELIGIBLE
    decision = referral.eligibility_decisions.first()
    assert decision.decided_by == handler and decision.reasons == ["Confirmed new surname by phone"]


def test_a_handler_deciding_not_eligible_closes_the_referral_and_says_why(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(eligibility=Eligibility.NEEDS_REVIEW)
    client = client_for(handler)
    client.post(
        f"/helpline/referral/{referral.pk}/eligibility/",
        {"decision": "ineligible", "reason": "Works in Wales, told them about Health for Health Professionals"},
    )
    referral.refresh_from_db()
    assert (referral.status, referral.closed_reason) == (Status.CLOSED, "ineligible")
    assert ": not eligible</dd>" in client.get(f"/helpline/referral/{referral.pk}/").content.decode()


@pytest.mark.parametrize("persona", ["practitioner", "clinician", "commissioner"])
def test_other_roles_reach_no_helpline_page_and_see_nothing(client_for, persona, request) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    client = client_for(request.getfixturevalue(persona))
    for url in ("/helpline/", f"/helpline/referral/{referral.pk}/", f"/helpline/referral/{referral.pk}/triage/"):
        response = client.get(url)
        assert response.status_code == 403
        assert referral.reference.encode() not in response.content


def test_a_practitioner_asks_for_a_call_back_in_a_window(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    referral = ReferralFactory(user=practitioner)
    day = timezone.localdate() + dt.timedelta(days=1)
    if day.weekday() == 6:
        day += dt.timedelta(days=1)
    client = client_for(practitioner)
    response = client.post("/helpline/my/callback/", {"day": day.strftime("%d/%m/%Y"), "window": "afternoon"})
    assert response.status_code == 302
    callback = Callback.objects.get(referral=referral)
    assert callback.reason == CallbackReason.PRACTITIONER
    assert timezone.localtime(callback.due_at).hour == 12 and timezone.localtime(callback.window_end).hour == 17
    assert b"We will call you" in client.get("/helpline/my/callback/").content


def test_a_call_back_on_a_sunday_or_in_the_past_is_refused_clearly(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    ReferralFactory(user=practitioner)
    client = client_for(practitioner)
    past = client.post("/helpline/my/callback/", {"day": "01/01/2020", "window": "morning"})
    assert b"Choose a time that has not passed yet" in past.content
    sunday = client.post("/helpline/my/callback/", {"day": "29/11/2026", "window": "morning"})
    assert (
        b"We do not make calls on Sundays" in sunday.content
        or b"Choose a time that has not passed yet" in sunday.content
    )
    assert not Callback.objects.exists()


def test_a_practitioner_without_a_referral_gets_404(client_for, other_practitioner) -> None:  # type: ignore[no-untyped-def]
    assert client_for(other_practitioner).get("/helpline/my/callback/").status_code == 404


@time_machine.travel(datetime(2026, 11, 24, 12, 0, tzinfo=UTC), tick=False)
def test_each_queue_total_counts_exactly_its_rows() -> None:
    from triage.models import CallbackStatus
    from triage.selectors import QUEUES, queue_totals

    now = timezone.now()
    hour = timedelta(hours=1)
    ReferralFactory(urgent=True)
    # Urgent stays urgent after triage, until a clinician has seen them.
    ReferralFactory(urgent=True, status=Status.TRIAGED)
    ReferralFactory(eligibility=Eligibility.ELIGIBLE)
    # Open though "not eligible" (closing it is the handler's next step): never out of every queue.
    ReferralFactory(eligibility=Eligibility.INELIGIBLE)
    ReferralFactory(eligibility=Eligibility.NEEDS_REVIEW)
    ReferralFactory(eligibility=Eligibility.NEEDS_REVIEW, status=Status.ASSIGNED)
    ReferralFactory(eligibility=Eligibility.NEEDS_REVIEW, status=Status.CLOSED)
    ReferralFactory(status=Status.ASSIGNED)
    ReferralFactory(status=Status.TRIAGED)
    referral = ReferralFactory(status=Status.CONTACTED)

    def callback(status: str, due_at, completed_at=None) -> None:  # type: ignore[no-untyped-def]
        made = callback_request(reason=CallbackReason.HANDLER, referral=referral, due_at=due_at)
        Callback.objects.filter(pk=made.pk).update(status=status, completed_at=completed_at)

    callback(CallbackStatus.SCHEDULED, now - hour)
    callback(CallbackStatus.IN_PROGRESS, now - hour)
    callback(CallbackStatus.COMPLETED, now - hour, now)
    callback(CallbackStatus.FAILED, now - 2 * hour, now - timedelta(days=1))
    callback(CallbackStatus.FAILED, now - timedelta(days=9), now - timedelta(days=8))
    callback(CallbackStatus.SCHEDULED, now + hour)  # later today
    callback(CallbackStatus.SCHEDULED, now + timedelta(days=2))
    for n, (status, age) in enumerate((("failed", timedelta(hours=2)), ("failed", timedelta(days=8)), ("sent", hour))):
        message = Notification.objects.create(
            channel="sms",
            template="referral_received",
            recipient="+447700900123",
            idempotency_key=f"totals:{n}",
            status=status,
            last_error="21211",
        )
        Notification.objects.filter(pk=message.pk).update(created_at=now - age)

    totals = queue_totals(now)

    assert totals == {definition.key: definition.rows(now).count() for definition in QUEUES}
    assert totals == {
        "urgent": 2,
        "callbacks-due": 2,
        "new": 2,
        "contacted": 1,
        "reviews": 2,
        "callbacks-later": 1,
        "triaged": 1,
        "assigned": 1,
        "failed-callbacks": 1,
        "failed-messages": 1,
    }


def test_the_dashboard_reads_no_rows_of_an_empty_queue(client_for, handler, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(handler)
    client.get("/helpline/")  # the first page of a sign-in notes the activity in the session
    with django_assert_num_queries(6) as empty:
        client.get("/helpline/")
    ReferralFactory(eligibility=Eligibility.ELIGIBLE)
    # One queue with something in it: its rows are one query more, and their needs one more.
    with django_assert_num_queries(len(empty.captured_queries) + 2):
        page = client.get("/helpline/").content.decode()
    assert "New referrals awaiting first contact" in page


def test_the_dashboard_opens_with_every_queue_and_its_length(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    ReferralFactory.create_batch(3, eligibility=Eligibility.ELIGIBLE)
    ReferralFactory(urgent=True)
    page = client_for(handler).get("/helpline/").content.decode()
    contents = page[
        page.index('aria-label="Queues on this page"') : page.index("</nav>", page.index("Queues on this page"))
    ]
    assert '<a class="nhsuk-contents-list__link" href="#queue-new">New referrals awaiting first contact</a>' in contents
    assert 'nhsuk-tag--grey">3<span class="nhsuk-u-visually-hidden"> waiting' in contents
    # A pressing queue with someone in it is red; an empty one is grey.
    assert (
        'href="#queue-urgent">Urgent and high risk, not yet seen</a> <span class="nhsuk-tag nhsuk-tag--red">1'
        in contents
    )
    assert 'href="#queue-callbacks-due">Callbacks due now</a> <span class="nhsuk-tag nhsuk-tag--grey">0' in contents
    assert contents.count("nhsuk-contents-list__item") == 10
    for key in (
        "urgent",
        "callbacks-due",
        "new",
        "contacted",
        "reviews",
        "callbacks-later",
        "triaged",
        "assigned",
        "failed-callbacks",
    ):
        assert f'id="queue-{key}"' in page
