"""A slot can never be booked twice, even when many people press "Book" at the same moment.

Real PostgreSQL, real threads, each with its own database connection, released together
by a barrier. Exactly one wins; everyone else gets a clear refusal, never an error page.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from clinicians.models import Appointment, SlotStatus
from clinicians.services import SlotTakenError, appointment_book
from practitioner_health.accounts.models import Role
from tests.conftest import verified_client
from tests.factories import ReferralFactory, UserFactory

from .factories import ClinicianFactory, EpisodeFactory, SlotFactory, in_days

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 20


def run_together(work: Callable[[int], Any], count: int) -> tuple[list[Any], list[BaseException]]:
    """Run work(i) in `count` threads that all start at once; each closes its own connection."""
    barrier = threading.Barrier(count, timeout=30)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a booking attempt hung"
    return results, errors


def _practitioners_with_the_same_clinician(count: int):  # type: ignore[no-untyped-def]
    clinician = ClinicianFactory()
    episodes = [
        EpisodeFactory(
            referral=ReferralFactory(in_care=True, user=UserFactory(role=Role.PRACTITIONER)), clinician=clinician
        )
        for _ in range(count)
    ]
    return clinician, episodes


def test_twenty_people_booking_one_slot_through_the_website_get_one_booking_and_nineteen_clear_refusals() -> None:
    clinician, episodes = _practitioners_with_the_same_clinician(ATTEMPTS)
    wanted = SlotFactory(clinician=clinician, start=in_days(4, 10))
    alternatives = [SlotFactory(clinician=clinician, start=in_days(5 + n, 14)) for n in range(3)]
    clients = [verified_client(episode.referral.user) for episode in episodes]
    url = reverse("clinicians:my_book")

    def attempt(index: int):  # type: ignore[no-untyped-def]
        return clients[index].post(url, {"slot": wanted.pk})

    responses, errors = run_together(attempt, ATTEMPTS)

    assert not errors, errors
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {302: 1, 409: ATTEMPTS - 1}, statuses
    winner = next(r for r in responses if r.status_code == 302)
    appointment = Appointment.objects.get(slot=wanted)
    assert winner["Location"] == reverse("clinicians:my_appointment", args=[appointment.pk])
    for response in responses:
        if response.status_code == 409:
            page = response.content.decode()
            assert "That time has just been taken" in page
            assert "The next available times are" in page
            assert "2pm" in page  # the alternatives, all at 2pm
    wanted.refresh_from_db()
    assert wanted.status == SlotStatus.BOOKED
    assert Appointment.objects.count() == 1
    assert all(slot.appointments.count() == 0 for slot in alternatives)


def test_twenty_concurrent_service_calls_on_one_slot_book_it_exactly_once() -> None:
    clinician, episodes = _practitioners_with_the_same_clinician(ATTEMPTS)
    wanted = SlotFactory(clinician=clinician, start=in_days(4, 10))
    SlotFactory(clinician=clinician, start=in_days(6, 10))
    users = [episode.referral.user for episode in episodes]

    def attempt(index: int) -> str:
        try:
            appointment_book(slot_id=wanted.pk, episode_id=episodes[index].pk, booked_by=users[index])
        except SlotTakenError as refused:
            assert refused.next_slots, "a refusal must offer the next times"
            return "refused"
        return "booked"

    outcomes, errors = run_together(attempt, ATTEMPTS)

    assert not errors, errors
    assert Counter(outcomes) == {"booked": 1, "refused": ATTEMPTS - 1}
    assert Appointment.objects.filter(slot=wanted).count() == 1
