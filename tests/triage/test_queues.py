"""Every open referral is in exactly one of the helpline's queues until a clinician has seen
the person; then it is on that clinician's caseload. Nobody falls out of sight."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from clinicians.models import AppointmentStatus, CareEpisode
from referrals.models import Eligibility, Referral, Status
from tests.clinicians.factories import ClinicianFactory, EpisodeFactory, booked, in_days
from tests.factories import ReferralFactory
from triage.models import Callback, CallbackReason, CallbackStatus
from triage.selectors import QUEUES, queue_totals
from triage.services.callbacks import callback_request

pytestmark = pytest.mark.django_db

REFERRAL_QUEUES = [definition for definition in QUEUES if definition.model is Referral]

# The dimensions of an open referral's state.
BEFORE_CARE = (Status.NEW, Status.CONTACTED, Status.TRIAGED)
URGENT = (False, True)
ELIGIBILITY = ("", Eligibility.ELIGIBLE, Eligibility.NEEDS_REVIEW, Eligibility.INELIGIBLE)
CALLBACKS = ("none", "due", "later", "failed", "completed", "cancelled")
# With a clinician: no appointment yet, one booked, one missed, one attended (seen).
CARE = ("no appointment", "booked", "did not attend", "attended")


def _callback(referral: Referral, kind: str, now: datetime) -> None:
    if kind == "none":
        return
    due = now - timedelta(minutes=5) if kind != "later" else now + timedelta(hours=1)
    made = callback_request(reason=CallbackReason.HANDLER, referral=referral, due_at=due)
    status = {
        "due": CallbackStatus.SCHEDULED,
        "later": CallbackStatus.SCHEDULED,
        "failed": CallbackStatus.FAILED,
        "completed": CallbackStatus.COMPLETED,
        "cancelled": CallbackStatus.CANCELLED,
    }[kind]
    Callback.objects.filter(pk=made.pk).update(status=status, completed_at=None if status == "scheduled" else now)


def _care(referral: Referral, kind: str) -> None:
    episode = EpisodeFactory(referral=referral, clinician=ClinicianFactory())
    if kind == "booked":
        booked(episode, start=in_days(3, 10))
    elif kind == "did not attend":
        booked(episode, start=in_days(-3, 10), status=AppointmentStatus.DID_NOT_ATTEND)
    elif kind == "attended":
        booked(episode, start=in_days(-3, 11), status=AppointmentStatus.ATTENDED)
        booked(episode, start=in_days(4, 11))


def expected_queue(status: Status, urgent: bool, eligibility: str, care: str) -> str:
    """Where each state belongs, written out plainly."""
    if care == "attended":
        return "caseload"
    if urgent:
        return "urgent"
    if eligibility == Eligibility.NEEDS_REVIEW:
        return "reviews"
    return {Status.NEW: "new", Status.CONTACTED: "contacted", Status.TRIAGED: "triaged", Status.ASSIGNED: "assigned"}[
        status
    ]


@time_machine.travel(datetime(2026, 11, 24, 12, 0, tzinfo=UTC), tick=False)
def test_every_open_referral_is_in_exactly_one_queue_in_every_state_it_can_reach() -> None:
    now = timezone.now()
    states: dict[int, tuple] = {}
    reachable = [
        (status, urgent, eligibility, callbacks, "none")
        for status, urgent, eligibility, callbacks in itertools.product(BEFORE_CARE, URGENT, ELIGIBILITY, CALLBACKS)
    ] + [
        (Status.ASSIGNED, urgent, eligibility, callbacks, care)
        for urgent, eligibility, callbacks, care in itertools.product(URGENT, ELIGIBILITY, CALLBACKS, CARE)
    ]
    for status, urgent, eligibility, callbacks, care in reachable:
        referral = ReferralFactory(status=status, urgent=urgent, eligibility=eligibility, submitted_at=now)
        _callback(referral, callbacks, now)
        if care != "none":
            _care(referral, care)
        states[referral.pk] = (status, urgent, eligibility, callbacks, care)
    # Finished referrals are in no queue at all.
    finished = [ReferralFactory(status=s, urgent=u) for s in (Status.CLOSED, Status.DISCHARGED) for u in URGENT]

    places: dict[int, list[str]] = {pk: [] for pk in states}
    for definition in REFERRAL_QUEUES:
        for pk in definition.rows(now).values_list("pk", flat=True):
            assert pk not in {r.pk for r in finished}, f"a finished referral is in {definition.key}"
            places[pk].append(definition.key)
    on_caseload = set(CareEpisode.objects.active().values_list("referral_id", flat=True))
    for pk in on_caseload:
        if not places[pk]:
            places[pk].append("caseload")

    wrong = {
        states[pk]: found
        for pk, found in places.items()
        if found != [expected_queue(states[pk][0], states[pk][1], states[pk][2], states[pk][4])]
    }
    assert wrong == {}, "each state in exactly one place: the one it belongs in"
    assert len(states) == 336
    totals = queue_totals(now)
    for definition in REFERRAL_QUEUES:
        assert totals[definition.key] == definition.rows(now).count()


def test_an_answered_call_moves_a_referral_to_contacted_not_into_limbo(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(eligibility=Eligibility.ELIGIBLE)
    client = client_for(handler)
    client.post(
        f"/helpline/referral/{referral.pk}/call/",
        {"direction": "outbound", "channel": "phone", "outcome": "answered", "notes": "Spoke to them"},
    )
    page = client.get("/helpline/").content.decode()
    contacted = page[page.index('id="queue-contacted"') : page.index('id="queue-reviews"')]
    assert "Contacted, not yet triaged" in contacted and referral.reference in contacted
    assert page.count(referral.reference) == 1
    whole = client.get("/helpline/queues/contacted/").content.decode()
    assert referral.reference in whole


def test_the_dashboard_query_count_stays_flat_with_every_queue_full(
    client_for, handler, django_assert_num_queries, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    clinician = ClinicianFactory()

    def fill(n: int) -> None:
        ReferralFactory.create_batch(n, urgent=True)
        ReferralFactory.create_batch(n)
        ReferralFactory.create_batch(n, status=Status.CONTACTED)
        ReferralFactory.create_batch(n, eligibility=Eligibility.NEEDS_REVIEW)
        ReferralFactory.create_batch(n, status=Status.TRIAGED)
        for referral in ReferralFactory.create_batch(n, status=Status.ASSIGNED):
            EpisodeFactory(referral=referral, clinician=clinician)
        for referral in ReferralFactory.create_batch(n, status=Status.TRIAGED, urgent=True):
            callback_request(reason=CallbackReason.HANDLER, referral=referral, due_at=timezone.now())

    client = client_for(handler)
    client.get("/helpline/")
    fill(12)
    with django_assert_max_num_queries(30) as few:
        client.get("/helpline/")
        client.get("/helpline/queues/urgent/")
    fill(40)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get("/helpline/").content.decode()
        client.get("/helpline/queues/urgent/")
    assert "Showing the first 10 of 104" in page  # urgent: new, and triaged with a callback due
    assert 'href="/helpline/queues/contacted/">See all 52' in page
    assert 'href="/helpline/queues/assigned/">See all 52' in page
