"""factory_boy factories for the platform. Each app's tests add their own in tests/<app>/factories.py."""

from __future__ import annotations

import factory

from practitioner_health.accounts.models import Authenticator, Role, User


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
