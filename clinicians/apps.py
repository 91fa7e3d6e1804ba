from django.apps import AppConfig


class CliniciansConfig(AppConfig):
    name = "clinicians"
    verbose_name = "Clinicians and appointments"

    def ready(self) -> None:
        # Connects the receivers that offer the Friends and Family Test.
        from . import feedback  # noqa: F401
