from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import Signal, receiver

# Sent (inside the change's transaction) when an account's password changes or its second
# factor is reset, with `user` and `reason` (a label: "password changed", "second factor
# reset"). Sign-ins that rest on the old credentials and that other apps keep (the
# smartphone app's tokens) must end: the app that keeps them receives this.
credentials_changed = Signal()


@receiver(post_migrate)
def create_key_canary(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "accounts":
        return
    from .models import KeyCanary

    using = kwargs.get("using", "default")
    if not KeyCanary.objects.using(using).exists():
        KeyCanary.objects.using(using).create(value=KeyCanary.KNOWN_VALUE)
