"""Issuing, finding and revoking API tokens and sign-in challenges. Secrets are stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from .models import ApiToken, SignInChallenge

TOKEN_PREFIX = "pht_"
CHALLENGE_PREFIX = "phc_"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A secret and when it stops working. The secret exists only here and in the response."""

    secret: str
    expires_at: datetime


def token_issue(*, user: User) -> Issued:
    """A new bearer token for `user`, valid for API_TOKEN_LIFETIME. Audited (without the secret)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user, key_hash=secret_hash(secret), created=now, expires_at=now + settings.API_TOKEN_LIFETIME
    )
    # The person is signing themselves in: they are the actor, not "an automatic process".
    audit_record(
        action=Action.CREATE,
        obj=token,
        subject_id=user.pk,
        actor_id=user.pk,
        actor_role=user.role,
        detail="app signed in",
    )
    return Issued(secret=secret, expires_at=token.expires_at)


def token_find(secret: str) -> ApiToken | None:
    """The live token for this secret (not revoked, not expired, not idle too long), or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = timezone.now()
    token = ApiToken.objects.live(now).select_related("user").filter(key_hash=secret_hash(secret)).first()
    if token is None:
        return None
    last = token.last_used_at or token.created
    if now - last > settings.API_TOKEN_IDLE_TIMEOUT:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(action=Action.LOGOUT, obj=token, subject_id=token.user_id, detail="app signed out")


def tokens_revoke_all(*, user: User, detail: str = "app signed out everywhere") -> int:
    """Sign out every app this person is signed in to, audited if there was any. Returns how
    many tokens were live."""
    with transaction.atomic():
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if count:
            audit_record(action=Action.LOGOUT, obj=user, subject_id=user.pk, detail=detail)
    return count


def tokens_live(*, user: User) -> list[ApiToken]:
    """The person's tokens that still work (not revoked or expired), newest first: dates only."""
    return list(
        ApiToken.objects.live()
        .filter(user=user)
        .only("pk", "user_id", "created", "last_used_at", "expires_at")
        .order_by("-created", "-pk")
    )


def token_revoke_own(*, user: User, token_id: int) -> bool:
    """Sign out one of this person's apps (from the website). False if no such live token is theirs."""
    with transaction.atomic():
        token = ApiToken.objects.live().filter(pk=token_id, user=user).select_for_update().first()
        if token is None:
            return False
        token_revoke(token=token)
    return True


def challenge_issue(*, user: User, method: str) -> Issued:
    secret = CHALLENGE_PREFIX + secrets.token_urlsafe(24)
    now = timezone.now()
    challenge = SignInChallenge.objects.create(
        user=user,
        key_hash=secret_hash(secret),
        method=method,
        created=now,
        expires_at=now + settings.API_CHALLENGE_LIFETIME,
    )
    return Issued(secret=secret, expires_at=challenge.expires_at)


def challenges_end(*, user: User) -> int:
    """End this person's sign-ins still waiting for a code: each was opened with a password
    (or a factor) that has just stopped being theirs. Returns how many were waiting."""
    return SignInChallenge.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())


def challenge_find(secret: str) -> SignInChallenge | None:
    """A challenge still waiting for its code (unused, in time, not too many wrong codes), locked."""
    if not secret.startswith(CHALLENGE_PREFIX) or len(secret) > 200:
        return None
    return (
        SignInChallenge.objects.select_for_update()
        .select_related("user")
        .filter(
            key_hash=secret_hash(secret),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            failed_attempts__lt=settings.API_CHALLENGE_MAX_ATTEMPTS,
        )
        .first()
    )


# Dead credentials are kept this long (a recent sign-out can still be investigated), then deleted.
DEAD_CREDENTIALS_KEPT = timedelta(days=30)


def credentials_purge(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete sign-in challenges that can no longer be used and tokens dead for a month.

    A challenge is finished once it expires, is used or has had too many wrong codes; a
    token once it expires or is
    revoked. Neither can sign anyone in after that, so keeping them only grows the tables.
    Returns (challenges deleted, tokens deleted).
    """
    now = now or timezone.now()
    challenges, _ = SignInChallenge.objects.filter(
        Q(expires_at__lt=now) | Q(used_at__isnull=False) | Q(failed_attempts__gte=settings.API_CHALLENGE_MAX_ATTEMPTS)
    ).delete()
    cutoff = now - DEAD_CREDENTIALS_KEPT
    tokens, _ = ApiToken.objects.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)).delete()
    return challenges, tokens
