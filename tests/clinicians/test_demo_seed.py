"""The demo data for clinicians is complete enough to click through, and safe to run twice."""

from __future__ import annotations

import pytest

from clinicians.models import Appointment, AvailabilityPattern, CareEpisode, Clinician, Site, Slot
from demo.seed_clinicians import seed
from practitioner_health.accounts.models import Role
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_seeding_twice_gives_a_clinician_with_times_and_the_practitioner_an_upcoming_appointment(
    practitioner, clinician, handler
) -> None:
    ReferralFactory(in_care=True, user=practitioner, status="triaged")
    users = {Role.PRACTITIONER: practitioner, Role.CLINICIAN: clinician, Role.HANDLER: handler}

    seed(users)
    counts = (
        Site.objects.count(),
        AvailabilityPattern.objects.count(),
        Slot.objects.count(),
        Appointment.objects.count(),
    )
    seed(users)

    assert counts == (
        Site.objects.count(),
        AvailabilityPattern.objects.count(),
        Slot.objects.count(),
        Appointment.objects.count(),
    )
    profile = Clinician.objects.get(user=clinician)
    episode = CareEpisode.objects.get()
    assert episode.clinician == profile
    assert episode.appointments.upcoming().count() == 1
    assert episode.outcomes.count() == 2
    assert counts[2] > 10
    # The demo clinician's patient comes with the helpline's handover, as a real assignment does.
    assert episode.handover.read().assessed_by == handler.display_name


def test_seeding_without_a_referral_still_sets_up_the_clinician(clinician) -> None:
    seed({Role.CLINICIAN: clinician})

    assert Clinician.objects.filter(user=clinician).exists()
    assert not CareEpisode.objects.exists()
