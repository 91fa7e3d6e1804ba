"""Factories for the clinicians app's tests (and its access rules)."""

from __future__ import annotations

import datetime
import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from clinicians.models import (
    Appointment,
    AppointmentKind,
    CareEpisode,
    Clinician,
    Profession,
    Region,
    Service,
    Site,
    Slot,
    SlotStatus,
)
from practitioner_health.accounts.models import Role
from tests.factories import ReferralFactory, UserFactory


def region(code: str = "london") -> Region:
    # Transactional tests empty every table, including the rows the data migration made.
    return Region.objects.get_or_create(code=code)[0]


def service(code: str) -> Service:
    return Service.objects.get_or_create(code=code)[0]


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    region = factory.LazyFunction(region)
    name = factory.Sequence(lambda n: f"Riverside Rooms {n}")
    address = "12 Quay Street\nLondon\nSE1 9AA"
    access_notes = "Ring the buzzer marked Suite 4."


class ClinicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinician
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.CLINICIAN)
    profession = Profession.CBT_THERAPIST
    video = True
    max_caseload = 30

    @factory.post_generation
    def setup(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.regions.add(region("london"))
            self.services.add(service("cbt"), service("assessment"))


def clinician_for(user) -> Clinician:  # type: ignore[no-untyped-def]
    """The profile of a persona (created the first time)."""
    existing = Clinician.objects.filter(user=user).first()
    return existing or ClinicianFactory(user=user)


def in_days(days: float, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A local wall-clock time `days` from today, e.g. in_days(3, 14) is 2pm three days on."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    clinician = factory.SubFactory(ClinicianFactory)
    start = factory.Sequence(lambda n: in_days(3 + n // 6, 9 + n % 6))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=50))
    site = None
    status = SlotStatus.OPEN


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareEpisode

    referral = factory.SubFactory(ReferralFactory, in_care=True)
    clinician = factory.SubFactory(ClinicianFactory)


def episode_for(practitioner, clinician_user=None, **referral_fields) -> CareEpisode:  # type: ignore[no-untyped-def]
    """A care episode for a practitioner persona, with the given clinician persona (or a new one)."""
    clinician = clinician_for(clinician_user) if clinician_user is not None else ClinicianFactory()
    referral = ReferralFactory(in_care=True, user=practitioner, **referral_fields)
    return EpisodeFactory(referral=referral, clinician=clinician)


def booked(
    episode: CareEpisode,
    *,
    start: datetime.datetime | None = None,
    kind: str = AppointmentKind.TREATMENT,
    site: Site | None = None,
    **fields,
) -> Appointment:  # type: ignore[no-untyped-def]
    """An appointment booked straight into the database (tests of booking itself use the service)."""
    slot = SlotFactory(
        clinician=episode.clinician,
        start=start or in_days(5, 11),
        site=site,
        status=SlotStatus.BOOKED,
        **({"end": start + timedelta(minutes=50)} if start else {}),
    )
    return Appointment.objects.create(
        slot=slot, episode=episode, kind=kind, video_token=secrets.token_urlsafe(24) if site is None else "", **fields
    )
