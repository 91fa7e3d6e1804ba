"""Housekeeping for the app's credentials, run by Celery beat."""

from __future__ import annotations

from celery import shared_task

from .tokens import credentials_purge


@shared_task(name="api.purge_dead_credentials")
def purge_dead_credentials() -> dict[str, int]:
    challenges, tokens = credentials_purge()
    return {"challenges": challenges, "tokens": tokens}
