"""Sign-ins from the smartphone app, as the account's security page shows and ends them.

The app's tokens belong to the API app, which the platform may not import (DESIGN's arrows
point the other way), so the API app registers how to list and end them when it starts
(`api.apps`). Until something registers, an account has no app sign-ins to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .models import User


@dataclass(frozen=True)
class AppSignIn:
    """One signed-in app, as its owner sees it: dates only, never the token."""

    id: int
    created: datetime
    last_used: datetime | None
    expires: datetime


class AppSignIns(Protocol):
    def live(self, *, user: User) -> list[AppSignIn]:
        """The account's app sign-ins that still work, newest first."""
        ...

    def end(self, *, user: User, sign_in_id: int) -> bool:
        """End one of this account's app sign-ins (audited); False if it has no such live one."""
        ...


class _NoAppSignIns:
    def live(self, *, user: User) -> list[AppSignIn]:
        return []

    def end(self, *, user: User, sign_in_id: int) -> bool:
        return False


_registered: AppSignIns = _NoAppSignIns()


def register(provider: AppSignIns) -> None:
    global _registered
    _registered = provider


def live(*, user: User) -> list[AppSignIn]:
    return _registered.live(user=user)


def end(*, user: User, sign_in_id: int) -> bool:
    return _registered.end(user=user, sign_in_id=sign_in_id)
