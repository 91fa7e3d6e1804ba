"""Factories for referrals tests."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from practitioner_health.crypto import phone_index
from referrals.eligibility import registration_index
from referrals.models import (
    CareerStage,
    Eligibility,
    Profession,
    Referral,
    Register,
    RegisterEntry,
    RegisterStatus,
    SeenWhere,
    WorkLocation,
)
from referrals.services import reference_generate


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    reference = factory.LazyFunction(reference_generate)
    profession = Profession.DOCTOR
    register = Register.GMC
    registration_number = factory.Sequence(lambda n: f"{6100000 + n}")
    registration_index = factory.LazyAttribute(lambda o: registration_index(o.register, o.registration_number))
    work_location = WorkLocation.ENGLAND
    career_stage = CareerStage.CONSULTANT
    work_region = "london"
    seen_where = SeenWhere.AWAY
    name = factory.Faker("name", locale="en_GB")
    date_of_birth = datetime.date(1980, 4, 2)
    email = factory.Sequence(lambda n: f"referral{n}@example.org")
    # A referral made with a user is one that user proved was theirs (the emailed link).
    linked_at = factory.LazyAttribute(lambda o: timezone.now() if getattr(o, "user", None) is not None else None)
    mobile = factory.Sequence(lambda n: f"+4477009{n:05d}")
    mobile_index = factory.LazyAttribute(lambda o: phone_index(o.mobile))
    eligibility = Eligibility.ELIGIBLE


class RegisterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisterEntry

    register = Register.GMC
    number = factory.Sequence(lambda n: f"{5100000 + n}")
    number_index = factory.LazyAttribute(lambda o: registration_index(o.register, o.number))
    surname = "Example"
    given_names = "Avery"
    status = RegisterStatus.REGISTERED
    status_text = "Registered with Licence"
    row_hash = factory.Sequence(lambda n: f"hash-{n}")
