"""What the account's own pages need of the app's tokens (registered with the platform in
`apps.py`): the security page lists and ends them, and a new password or second factor ends
them all."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from practitioner_health.accounts.app_sign_ins import AppSignIn
from practitioner_health.accounts.models import User
from practitioner_health.accounts.signals import credentials_changed

from .tokens import challenges_end, token_revoke_own, tokens_live, tokens_revoke_all


class TokenSignIns:
    def live(self, *, user: User) -> list[AppSignIn]:
        return [
            AppSignIn(id=token.pk, created=token.created, last_used=token.last_used_at, expires=token.expires_at)
            for token in tokens_live(user=user)
        ]

    def end(self, *, user: User, sign_in_id: int) -> bool:
        return token_revoke_own(user=user, token_id=sign_in_id)


@receiver(credentials_changed, dispatch_uid="api.sign_out_apps_on_new_credentials")
def sign_out_apps(sender: Any, *, user: User, reason: str, **kwargs: Any) -> None:
    # A token, or a sign-in waiting for its code, was got with the old password or second
    # factor; whoever had those (a reset is often because someone else did) keeps nothing.
    challenges_end(user=user)
    tokens_revoke_all(user=user, detail=f"app signed out: {reason}")
