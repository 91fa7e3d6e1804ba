from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "Smartphone app API"

    def ready(self) -> None:
        from practitioner_health.accounts import app_sign_ins

        from . import schema  # noqa: F401  (registers the bearer token with drf-spectacular)
        from .sign_ins import TokenSignIns  # (connects the sign-out on a new password)

        app_sign_ins.register(TokenSignIns())
