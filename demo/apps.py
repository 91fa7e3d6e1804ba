from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the embedded mode. A leaf: it may import every app; nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
