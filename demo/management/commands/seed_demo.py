from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo import seed
from practitioner_health.accounts.models import Authenticator, Role, User
from practitioner_health.accounts.services import backup_codes_generate

DEMO_PASSWORD = "demo-password-1234"
DEMO_USERS = (
    (Role.PRACTITIONER, "practitioner@demo.ph.test", "Dr Alex Demo"),
    (Role.HANDLER, "handler@demo.ph.test", "Sam Handler"),
    (Role.CLINICIAN, "clinician@demo.ph.test", "Dr Jo Clinician"),
    (Role.COMMISSIONER, "commissioner@demo.ph.test", "Chris Commissioner"),
    (Role.SERVICE_ADMIN, "admin@demo.ph.test", "Pat Admin"),
)


class Command(BaseCommand):
    help = "Create demo users (one per role) and demo data. Refuses to run in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production mode")
        lines = []
        with transaction.atomic():
            for role, email, name in DEMO_USERS:
                user = User.objects.get_by_email(email)
                if user is None:
                    user = User.objects.create_user(
                        email, DEMO_PASSWORD, role=role, full_name=name, is_superuser=role == Role.SERVICE_ADMIN
                    )
                if role != Role.PRACTITIONER and not Authenticator.objects.filter(user=user, confirmed=True).exists():
                    Authenticator.objects.create(user=user, name="Demo authenticator", confirmed=True)
                code = backup_codes_generate(user=user)[0]
                lines.append((role.label, email, code))
            seed.seed_all(users={role: User.objects.get_by_email(email) for role, email, _ in DEMO_USERS})
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write("Each line shows a one-time backup code to use at the security code step.")
        for label, email, code in lines:
            self.stdout.write(f"  {label:<24} {email:<30} backup code {code}")
        self.stdout.write("Practitioners can also use the emailed code: see var/outbox/email/.")
