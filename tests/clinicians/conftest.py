"""Fixtures for the clinicians app: the clinician personas' profiles, a site, a care episode."""

from __future__ import annotations

import pytest

from clinicians.models import CareEpisode, Clinician, Site
from practitioner_health.accounts.models import User
from tests.factories import ReferralFactory

from .factories import ClinicianFactory, EpisodeFactory, SiteFactory


@pytest.fixture
def clinician_profile(clinician: User) -> Clinician:
    return ClinicianFactory(user=clinician)


@pytest.fixture
def other_clinician_profile(other_clinician: User) -> Clinician:
    return ClinicianFactory(user=other_clinician)


@pytest.fixture
def site(clinician_profile: Clinician) -> Site:
    site = SiteFactory(name="Riverside Rooms")
    clinician_profile.sites.add(site)
    return site


@pytest.fixture
def episode(practitioner: User, clinician_profile: Clinician) -> CareEpisode:
    return EpisodeFactory(
        referral=ReferralFactory(in_care=True, user=practitioner, name="Dr Avery Example"), clinician=clinician_profile
    )


@pytest.fixture
def other_episode(other_practitioner: User, other_clinician_profile: Clinician) -> CareEpisode:
    return EpisodeFactory(
        referral=ReferralFactory(in_care=True, user=other_practitioner, name="Dr Blake Other"),
        clinician=other_clinician_profile,
    )
