"""Demo records for each app, in dependency order. Each part is idempotent."""

from __future__ import annotations

from typing import Any

from demo import seed_clinicians, seed_referrals, seed_reporting, seed_selfhelp


def seed_all(*, users: dict[Any, Any]) -> None:
    for module in (seed_selfhelp, seed_referrals, seed_clinicians, seed_reporting):
        module.seed(users)
