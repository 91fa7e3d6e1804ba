"""factory_boy factories shared by every app's tests. Each app's tests add their own in
tests/<app>/factories.py, and import these rather than defining their own."""

from __future__ import annotations

import datetime
from datetime import timedelta

import factory
from django.utils import timezone

from practitioner_health.accounts.models import Authenticator, Role, User
from practitioner_health.crypto import phone_index
from referrals.eligibility import registration_index
from referrals.models import (
    CareerStage,
    Eligibility,
    Profession,
    Referral,
    ReferralNeed,
    Register,
    SeenWhere,
    Status,
    WorkLocation,
)
from referrals.services import reference_generate


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.PRACTITIONER
    password = factory.django.Password("correct-horse-battery-staple")
    is_superuser = factory.LazyAttribute(lambda o: o.role == Role.SERVICE_ADMIN)

    @factory.post_generation
    def totp(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        # Staff always have an authenticator; practitioners use emailed codes unless asked.
        wanted = extracted if extracted is not None else self.role != Role.PRACTITIONER
        if create and wanted:
            Authenticator.objects.create(user=self, name="Authenticator app", confirmed=True)


class ReferralFactory(factory.django.DjangoModelFactory):
    """An eligible self-referral from a GP in London who would like to be seen away from work,
    made just now and not yet taken up by anyone; `needs=[...]` adds what they asked for help with.

    `ReferralFactory(in_care=True)`: one a clinician has taken on, made three weeks ago by a
    practitioner with an account.
    """

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    class Params:
        in_care = factory.Trait(
            user=factory.SubFactory(UserFactory, role=Role.PRACTITIONER),
            status=Status.ASSIGNED,
            seen_region="south-east",
            submitted_at=factory.LazyFunction(lambda: timezone.now() - timedelta(weeks=3)),
        )

    reference = factory.LazyFunction(reference_generate)
    profession = Profession.DOCTOR
    register = Register.GMC
    registration_number = factory.Sequence(lambda n: f"{6100000 + n}")
    registration_index = factory.LazyAttribute(lambda o: registration_index(o.register, o.registration_number))
    work_location = WorkLocation.ENGLAND
    career_stage = CareerStage.GP
    work_region = "london"
    seen_where = SeenWhere.AWAY
    name = factory.Faker("name", locale="en_GB")
    date_of_birth = datetime.date(1980, 4, 2)
    email = factory.Sequence(lambda n: f"referral{n}@example.org")
    mobile = factory.Sequence(lambda n: f"+4477009{n:05d}")
    mobile_index = factory.LazyAttribute(lambda o: phone_index(o.mobile))
    eligibility = Eligibility.ELIGIBLE
    # A referral made with a user is one that user proved was theirs (followed the emailed link).
    linked_at = factory.LazyAttribute(lambda o: timezone.now() if getattr(o, "user", None) is not None else None)

    @factory.post_generation
    def needs(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for need in extracted or ():
            ReferralNeed.objects.create(referral=self, need=need)
