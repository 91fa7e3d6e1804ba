"""Reads that views (and other apps) need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from practitioner_health.accounts.models import Role, User
from practitioner_health.audit.models import Action, AuditEvent
from selfhelp.models import SignpostingEntry
from selfhelp.selectors import signposting_entries

from .models import ClosedReason, DuplicateSubmission, Eligibility, Referral, Status


def referral_latest_for_user(user: User) -> Referral | None:
    """The practitioner's most recent referral linked to their account (by proof of their email)."""
    return Referral.objects.filter(user=user).order_by("-submitted_at", "-pk").first()


def request_latest_for_user(user: User) -> Referral | DuplicateSubmission | None:
    """What the practitioner's pages are about: their most recent request linked to their account.

    Usually a referral. It is a repeat request when they followed the link sent for a request
    made while another referral for the same registration number was open: their pages then
    show that request, as a new referral's would, and never the referral it repeats.
    """
    referral = referral_latest_for_user(user)
    repeat = DuplicateSubmission.objects.filter(user=user).order_by("-submitted_at", "-pk").first()
    if repeat is not None and (referral is None or repeat.submitted_at > referral.submitted_at):
        return repeat
    return referral


def signposts_resolve(signposts: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> list[SignpostingEntry]:
    """The directory entries for (category, nation) pairs, in the directory's own order."""
    entries: list[SignpostingEntry] = []
    for category, nation in signposts:
        entries.extend(signposting_entries(category=category, nation=nation or None))
    return entries


CLOSED_BEFORE_CARE = {
    ClosedReason.WITHDRAWN: (
        "You stopped this referral",
        "We will not contact you about it. You can refer yourself again at any time if you need us.",
    ),
    ClosedReason.DECLINED: (
        "This referral is closed",
        "As you told our helpline, we will not contact you about it. You can refer yourself again at any "
        "time if you need us.",
    ),
    ClosedReason.NOT_REACHED: (
        "We could not reach you",
        "We tried to call you and could not get through, so we have closed this referral. You can refer "
        "yourself again at any time, or call our helpline.",
    ),
}

# Someone who told us of thoughts of harming themselves and then stopped: one call first.
STOPPED_WITH_SAFETY_CALL = (
    "You stopped this referral",
    "Our helpline will try once to call you, to check you are safe. After that we will not contact you "
    "about it. You can refer yourself again at any time if you need us.",
)


def status_explained(referral: Referral | DuplicateSubmission) -> tuple[str, str]:
    """The referral's state in plain words: a short title and a sentence on what happens next."""
    if referral.eligibility == Eligibility.INELIGIBLE:
        return (
            "We could not accept this referral",
            "Our service is for doctors and dentists working in England, or returning to practice in England. "
            "Call the helpline if your situation has changed.",
        )
    if referral.status == Status.CLOSED and referral.closed_reason in CLOSED_BEFORE_CARE:
        if referral.closed_reason == ClosedReason.WITHDRAWN and referral.safety_call_on_stop:
            return STOPPED_WITH_SAFETY_CALL
        return CLOSED_BEFORE_CARE[ClosedReason(referral.closed_reason)]
    if referral.status == Status.NEW and referral.eligibility == Eligibility.NEEDS_REVIEW:
        return (
            "We have received your referral",
            "We are checking your registration details. Someone from our helpline will contact you soon to talk "
            "about what would help.",
        )
    messages = {
        Status.NEW: (
            "We have received your referral",
            "Someone from our helpline will contact you soon to talk about what would help.",
        ),
        Status.CONTACTED: (
            "Our helpline has been in touch",
            "The next step is an assessment with one of our team, by phone or video, so we can find the right "
            "support for you.",
        ),
        Status.TRIAGED: (
            "We are finding the right clinician for you",
            "You have had your assessment. We will contact you when we have matched you with a clinician.",
        ),
        Status.ASSIGNED: (
            "You have a clinician",
            "Your clinician will arrange appointments with you. You can see them on your pages.",
        ),
        Status.DISCHARGED: (
            "Your care with us has finished",
            "You can refer yourself again at any time if you need us.",
        ),
        Status.CLOSED: (
            "This referral is closed",
            "You can refer yourself again at any time if you need us.",
        ),
    }
    return messages[Status(referral.status)]


@dataclass(frozen=True)
class AccessRow:
    who: str
    what: str
    at: datetime


OBJECT_WORDS = {
    "referrals.referral": "your referral",
    "referrals.duplicatesubmission": "another referral request made with your registration number",
    "accounts.user": "your account",
}


def access_history(user: User) -> QuerySet[AuditEvent]:
    """Audit events about this practitioner made by anyone other than themselves, newest first."""
    return (
        AuditEvent.objects.for_subject(user.pk)
        .exclude(actor_id=user.pk)
        .select_related("actor")
        .only("at", "action", "object_type", "detail", "actor_role", "actor__full_name", "actor__role")
        .order_by("-at", "-id")
    )


def access_row(event: AuditEvent) -> AccessRow:
    """One audit event as the practitioner sees it: who (name and role), what, when. No ids or addresses."""
    actor = event.actor
    if actor is None:
        who = "The online referral form" if event.action == Action.CREATE else "An automatic process"
    elif actor.role == Role.PRACTITIONER:
        who = "Another person using the service"
    else:
        role = Role(actor.role).label if actor.role in Role.values else event.actor_role
        who = f"{actor.full_name}, {role.lower()}" if actor.full_name else role
    thing = OBJECT_WORDS.get(event.object_type, event.object_type.split(".")[-1].replace("_", " "))
    what = Action(event.action).label if event.action in Action.values else event.action
    what = f"{what} {thing}"
    if event.detail:
        what = f"{what} ({event.detail})"
    return AccessRow(who=who, what=what, at=event.at)
