from __future__ import annotations

import datetime

import factory

from practitioner_health.crypto import phone_index
from referrals.eligibility import registration_index
from referrals.models import CareerStage, Profession, Referral, Register, SeenWhere, WorkLocation


class ReferralFactory(factory.django.DjangoModelFactory):
    """A minimal eligible referral for helpline tests (the referrals app has its own, richer one)."""

    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"PH-TEST-{n:04d}")
    profession = Profession.DOCTOR
    register = Register.GMC
    registration_number = factory.Sequence(lambda n: f"{7000000 + n}")
    registration_index = factory.LazyAttribute(lambda o: registration_index(o.register, o.registration_number))
    work_location = WorkLocation.ENGLAND
    career_stage = CareerStage.GP
    seen_where = SeenWhere.AWAY
    name = factory.Faker("name", locale="en_GB")
    date_of_birth = datetime.date(1985, 5, 17)
    email = factory.Sequence(lambda n: f"doctor{n}@example.nhs.uk")
    mobile = factory.Sequence(lambda n: f"+4477009{n:05d}")
    mobile_index = factory.LazyAttribute(lambda o: phone_index(o.mobile))
