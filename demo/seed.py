"""Demo records for each app, added to as the apps grow. Idempotent."""

from __future__ import annotations

import importlib
from typing import Any

# Each app's demo data, in dependency order; each module has `seed(users)`.
SEEDERS = ("demo.seed_selfhelp", "demo.seed_referrals", "demo.seed_clinicians", "demo.seed_reporting")


def seed_all(*, users: dict[Any, Any]) -> None:
    for name in SEEDERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.seed(users)
