from datetime import date

from django.apps import AppConfig


def _bank_holidays() -> set[date]:
    from .models import BankHoliday

    return set(BankHoliday.objects.values_list("date", flat=True))


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Helpline and triage"

    def ready(self) -> None:
        from practitioner_health.hours import bank_holidays_source

        from . import receivers  # noqa: F401 - connects the helpline's receivers

        # The platform's opening-hours rule reads the helpline's bank holidays from here.
        bank_holidays_source(_bank_holidays)
