from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Helpline and triage"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the helpline's receivers
