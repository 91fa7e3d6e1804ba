"""Demo records for each app, added to as the apps grow. Idempotent."""

from __future__ import annotations

from typing import Any


def seed_all(*, users: dict[Any, Any]) -> None:
    """Create demo data that is not there yet. Each app's part is a function below."""
