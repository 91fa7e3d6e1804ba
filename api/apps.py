from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "Smartphone app API"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the bearer token with drf-spectacular)
