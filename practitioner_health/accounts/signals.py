from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def create_key_canary(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "accounts":
        return
    from .models import KeyCanary

    using = kwargs.get("using", "default")
    if not KeyCanary.objects.using(using).exists():
        KeyCanary.objects.using(using).create(value=KeyCanary.KNOWN_VALUE)
