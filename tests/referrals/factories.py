"""Factories for referrals tests (ReferralFactory is shared: tests/factories.py)."""

from __future__ import annotations

import factory

from referrals.eligibility import registration_index
from referrals.models import Register, RegisterEntry, RegisterStatus


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
