"""The NHS Friends and Family Test: offering it, answering it once, and reading it back.

- An episode is offered the test after its first attended appointment and at discharge
  (`feedback_offer`, called by the receivers at the end of this module, so the booking and
  care services need no change). The offer sends a discreet email with a signed link and puts
  the same link on the practitioner's own appointments page.
- The link carries a signed token for (episode, stage). `feedback_submit` checks it, records
  that the (episode, stage) has answered as a keyed hash with nothing else beside it, and
  stores the answer with no user, no episode and no exact time (clinicians.models.feedback).
- Nothing here writes an audit row for an answer: a row naming the person at the time they
  answered would join the answer back to them. The offer (which says nothing of the answer)
  is audited as usual.
- Free text is read only by a service admin, with anything that could name a person replaced
  by a marker first (`redact`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.crypto import blind_index
from practitioner_health.notifications.models import Channel
from practitioner_health.notifications.services import notify

from .models import (
    Appointment,
    AppointmentStatus,
    CareEpisode,
    FeedbackOffer,
    FeedbackRating,
    FeedbackResponse,
    FeedbackStage,
    FeedbackTokenUse,
)

_SALT = "clinicians.feedback"
# A link older than this no longer works: the experience it asks about is long past.
LINK_DAYS = 90
COMMENT_MAX = 2000


class FeedbackError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FeedbackAlreadyGiven(FeedbackError):
    """This (episode, stage) has answered already."""


# --- Tokens ---------------------------------------------------------------------------------


def feedback_token(*, episode_id: int, stage: str) -> str:
    """A signed, URL-safe token for (episode, stage). Holds ids only."""
    return signing.dumps([episode_id, stage], salt=_SALT, compress=True)


def token_read(token: str) -> tuple[int, str] | None:
    """(episode id, stage) from a token, or None if it is forged, mangled or too old."""
    try:
        episode_id, stage = signing.loads(token, salt=_SALT, max_age=timedelta(days=LINK_DAYS))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(episode_id, int) or stage not in FeedbackStage.values:
        return None
    return episode_id, stage


def _used_digest(episode_id: int, stage: str) -> str:
    # Keyed, so the table alone (a backup, a database read) does not say which episodes answered.
    return blind_index(f"{episode_id}:{stage}", purpose="feedback-used")


def feedback_offered(*, episode_id: int, stage: str) -> bool:
    return FeedbackOffer.objects.filter(episode_id=episode_id, stage=stage).exists()


def feedback_given(*, episode_id: int, stage: str) -> bool:
    return FeedbackTokenUse.objects.filter(digest=_used_digest(episode_id, stage)).exists()


def feedback_link(*, episode_id: int, stage: str) -> str:
    """The path of the answer page for (episode, stage)."""
    return reverse("clinicians:feedback_answer", kwargs={"token": feedback_token(episode_id=episode_id, stage=stage)})


# --- Offering -------------------------------------------------------------------------------


def feedback_offer(*, episode_id: int, stage: str) -> FeedbackOffer | None:
    """Offer the test to an episode at a stage, once: records the offer and queues a discreet
    email with the link (to the referral's address, or the account's). Returns the new offer,
    or None if it had been offered already. Call inside the transaction that makes it due."""
    if stage not in FeedbackStage.values:
        raise ValueError(f"Unknown feedback stage {stage!r}")
    with transaction.atomic():
        episode = CareEpisode.objects.select_related("referral__user").get(pk=episode_id)
        offer, created = FeedbackOffer.objects.get_or_create(episode=episode, stage=stage)
        if not created:
            return None
        referral = episode.referral
        recipient = referral.email or (referral.user.email if referral.user is not None else "")
        if recipient:
            notify(
                channel=Channel.EMAIL,
                template="feedback_invite",
                recipient=recipient,
                context={
                    "link": f"{settings.PUBLIC_URL}{feedback_link(episode_id=episode.pk, stage=stage)}",
                    "days": LINK_DAYS,
                    "discharge": stage == FeedbackStage.DISCHARGE,
                },
                idempotency_key=f"feedback-offer:{episode.pk}:{stage}",
                subject_id=referral.user_id,
            )
        audit_record(action=Action.CREATE, obj=offer, subject_id=referral.user_id, detail=f"feedback offered: {stage}")
        return offer


@receiver(post_save, sender=Appointment, dispatch_uid="clinicians.feedback.after_first_attended")
def _offer_after_first_attended(
    sender: Any, instance: Appointment, created: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """Attendance recorded (`appointment_attendance_record` saves the status): the first
    attended appointment of an episode brings the offer. Rows written whole (imports, the
    demo's past appointments) are not someone attending now, so they offer nothing."""
    if created or update_fields is None or "status" not in update_fields:
        return
    if instance.status != AppointmentStatus.ATTENDED:
        return
    feedback_offer(episode_id=instance.episode_id, stage=FeedbackStage.FIRST_APPOINTMENT)


@receiver(post_save, sender=CareEpisode, dispatch_uid="clinicians.feedback.at_discharge")
def _offer_at_discharge(
    sender: Any, instance: CareEpisode, created: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """Discharged (`episode_discharge` saves `ended_at`): offer the test for the whole of their care."""
    if created or update_fields is None or "ended_at" not in update_fields:
        return
    if instance.ended_at is None:
        return
    feedback_offer(episode_id=instance.pk, stage=FeedbackStage.DISCHARGE)


# --- Answering ------------------------------------------------------------------------------


def feedback_submit(*, token: str, rating: str, comment: str) -> None:
    """Store one answer for the token's (episode, stage), once.

    Guarantees: the answer row holds the stage, the month, the region and profession of work,
    the rating and the (encrypted) comment, and nothing that points at the person; the
    (episode, stage) is marked answered in a separate table that shares no column, time or
    sequence with the answer. A second answer raises FeedbackAlreadyGiven; a bad token or
    rating raises FeedbackError. Sends nothing and writes no audit row (see the module).
    """
    found = token_read(token)
    if found is None:
        raise FeedbackError("This link does not work. Use the link in your most recent email, or sign in.")
    if rating not in FeedbackRating.values:
        raise FeedbackError("Select how your experience was, or 'Don't know'")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise FeedbackError(f"What was good, or what could be better, must be {COMMENT_MAX} characters or fewer")
    episode_id, stage = found
    with transaction.atomic():
        offer = (
            FeedbackOffer.objects.select_related("episode__referral")
            .only("episode__referral__work_region", "episode__referral__profession")
            .filter(episode_id=episode_id, stage=stage)
            .first()
        )
        if offer is None:
            raise FeedbackError("This link does not work. Use the link in your most recent email, or sign in.")
        try:
            with transaction.atomic():
                FeedbackTokenUse.objects.create(digest=_used_digest(episode_id, stage))
        except IntegrityError:
            raise FeedbackAlreadyGiven("You have already told us about this part of your care. Thank you.") from None
        referral = offer.episode.referral
        FeedbackResponse.objects.create(
            stage=stage,
            month=timezone.localdate().replace(day=1),
            region=referral.work_region or "",
            profession=referral.profession or "",
            rating=rating,
            comment=comment,
            has_comment=bool(comment),
        )


# --- Reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenOffer:
    stage: str
    label: str
    path: str


def open_offers_for(user: User) -> list[OpenOffer]:
    """The practitioner's offers not yet answered, with their links (one query, plus one for
    which have been answered)."""
    offers = list(
        FeedbackOffer.objects.filter(episode__referral__user=user)
        .order_by("offered_at", "pk")
        .values_list("episode_id", "stage")
    )
    if not offers:
        return []
    digests = {_used_digest(episode_id, stage): (episode_id, stage) for episode_id, stage in offers}
    used = set(FeedbackTokenUse.objects.filter(digest__in=digests).values_list("digest", flat=True))
    labels = dict(FeedbackStage.choices)
    return [
        OpenOffer(stage, labels[stage], feedback_link(episode_id=episode_id, stage=stage))
        for digest, (episode_id, stage) in digests.items()
        if digest not in used
    ]


# --- Redaction of free text -----------------------------------------------------------------

# Capitalised words that name no one: the first word of a sentence is checked against this
# list, any other capitalised word is taken for a name or a place, and so is removed.
_ORDINARY = frozenset(
    """
    a after all also an and as at be because being but by can could did do does during each
    even every everyone everything for from good great had has have having he her his how i
    if in it its just kind less more most my no not nothing now of on once one only or our
    overall perhaps please she should so some sometimes still thank thanks that the their
    them then there these they this those to too very was we were what when where which
    while who why with would yes you your
    """.split()
)
# Words a comment may name without naming anyone.
_ALLOWED = frozenset({"I", "I'm", "I've", "I'd", "I'll", "NHS", "GP", "GPs", "GMC", "GDC", "A&E", "UK", "OK"})
_TOKEN = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<phone>(?:\+44\s?|\b0)\d(?:[\s-]?\d){8,10}\b)"
    r"|(?P<number>\b\d{5,8}\b)"
    r"|(?P<word>\b[A-Z][\w'\u2019&-]*)"
)
MARKERS = {
    "email": "[email removed]",
    "phone": "[phone number removed]",
    "number": "[number removed]",
    "word": "[name removed]",
}


@dataclass(frozen=True)
class Redacted:
    text: str
    removed: int


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?\n"


def redact(text: str) -> Redacted:
    """The comment with emails, phone numbers, registration-like numbers and capitalised words
    that could be names replaced by markers, and how many were replaced.

    Errs towards removing: a capitalised word that is not a common sentence opener is taken
    for a name (of a person, a hospital, a town).
    """
    removed = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal removed
        kind = match.lastgroup or "word"
        value = match.group(0)
        if kind == "word":
            if value in _ALLOWED:
                return value
            if _sentence_start(text, match.start()) and value.lower() in _ORDINARY:
                return value
        removed += 1
        return MARKERS[kind]

    return Redacted(_TOKEN.sub(replace, text), removed)


@dataclass(frozen=True)
class Comment:
    month: Any
    stage: str
    rating: str
    text: str
    removed: int


def comments_for_review(*, limit: int = 500) -> list[Comment]:
    """The most recent answers with free text, redacted, newest month first (within a month in
    no meaningful order: the answers carry no time)."""
    stages, ratings = dict(FeedbackStage.choices), dict(FeedbackRating.choices)
    rows = (
        FeedbackResponse.objects.filter(has_comment=True)
        .order_by("-month", "id")
        .only("month", "stage", "rating", "comment")[:limit]
    )
    comments = []
    for row in rows:
        redacted = redact(row.comment)
        comments.append(Comment(row.month, stages[row.stage], ratings[row.rating], redacted.text, redacted.removed))
    return comments
