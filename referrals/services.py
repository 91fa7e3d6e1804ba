"""Writes for referrals: submitting one, and the practitioner's own changes to it."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone

from practitioner_health.accounts.models import Role, User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.crisis import crisis_numbers
from practitioner_health.crypto import blind_index, email_index, phone_index
from practitioner_health.hours import call_promise
from practitioner_health.notifications.messages import IndiscreetMessageError, indiscreet_words
from practitioner_health.notifications.models import Channel as MessageChannel
from practitioner_health.notifications.services import OutgoingMessage, notify, notify_many

from .eligibility import (
    REGISTER_FOR_PROFESSION,
    Decision,
    assess,
    register_entry_find,
    registration_index,
    validate_register_number,
)
from .models import (
    Channel,
    ClosedReason,
    DuplicateSubmission,
    Eligibility,
    EligibilityDecision,
    PreferredContact,
    Profession,
    Referral,
    ReferralNeed,
    ReopenReason,
    RequestLink,
    Status,
)
from .signals import referral_closed

logger = logging.getLogger(__name__)

# Reference numbers: no 0/O or 1/I, so they can be read out on the phone without mistakes.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_ATTEMPTS = 20
# How long the emailed link to see a request online works (the email says 3 days).
REQUEST_LINK_VALIDITY = timedelta(days=3)


@dataclass(frozen=True)
class ReferralAnswers:
    """Everything the self-referral questions collect, already validated by the forms."""

    profession: str
    registration_number: str
    work_location: str
    career_stage: str
    work_region: str
    seen_where: str
    needs: tuple[str, ...]
    self_harm_thoughts: bool
    name: str
    date_of_birth: date
    email: str
    mobile: str
    voicemail_ok: bool
    texts_ok: bool
    self_referral: bool = True
    career_stage_other: str = ""
    employer: str = ""
    seen_region: str = ""
    needs_other: str = ""
    preferred_name: str = ""
    best_times: str = ""
    people_known: str = ""
    heard_about: str = ""

    @property
    def register(self) -> str:
        return REGISTER_FOR_PROFESSION[Profession(self.profession)]


@dataclass(frozen=True)
class SubmissionResult:
    """What the confirmation page may show. The same shape whether or not the request was a repeat."""

    reference: str
    urgent: bool
    ineligible: bool = False
    reason_codes: tuple[str, ...] = ()
    signposts: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "urgent": self.urgent,
            "ineligible": self.ineligible,
            "reason_codes": list(self.reason_codes),
            "signposts": [list(signpost) for signpost in self.signposts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        return cls(
            reference=str(data["reference"]),
            urgent=bool(data["urgent"]),
            ineligible=bool(data.get("ineligible")),
            reason_codes=tuple(data.get("reason_codes", ())),
            signposts=tuple((str(c), str(n)) for c, n in data.get("signposts", ())),
        )

    @classmethod
    def from_decision(cls, reference: str, urgent: bool, decision: Decision) -> SubmissionResult:
        ineligible = decision.outcome == Eligibility.INELIGIBLE
        return cls(
            reference=reference,
            urgent=urgent,
            ineligible=ineligible,
            reason_codes=tuple(r.code for r in decision.reasons) if ineligible else (),
            signposts=tuple((s.category, s.nation or "") for s in decision.signposts) if ineligible else (),
        )


def submission_key_for(token: str) -> str:
    """The stored form of a one-time submission token (the token itself never reaches the database)."""
    return blind_index(token, purpose="referral-submission")


def reference_generate() -> str:
    """A fresh reference like PH-7K3D-9QXM: random (secrets), not sequential, unused so far."""
    for _ in range(REFERENCE_ATTEMPTS):
        chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"PH-{chars[:4]}-{chars[4:]}"
        if indiscreet_words(chars):
            # e.g. PH-DRUG-7K3D: read on a lock screen, and refused by the discretion check.
            continue
        # Referrals and repeat requests share one series of references: both are looked at in one query.
        taken = (
            Referral.objects.filter(reference=reference)
            .order_by()
            .values("pk")
            .union(DuplicateSubmission.objects.filter(reference=reference).order_by().values("pk"), all=True)
            .order_by()
        )
        if not taken.exists():
            return reference
    raise RuntimeError("Could not find an unused reference number")


def _previous_result(submission_key: str | None) -> SubmissionResult | None:
    """The outcome of an earlier submission of the same form, if there was one."""
    if not submission_key:
        return None
    # Nearly always there is none: one query looks in both places.
    found = (
        Referral.objects.filter(submission_key=submission_key)
        .order_by()
        .annotate(kind=Value("referral"))
        .values_list("kind", "pk")
        .union(
            DuplicateSubmission.objects.filter(submission_key=submission_key)
            .order_by()
            .annotate(kind=Value("duplicate"))
            .values_list("kind", "pk"),
            all=True,
        )
        .order_by()[:1]
    )
    hit = next(iter(found), None)
    if hit is None:
        return None
    kind, pk = hit
    if kind == "referral":
        referral = Referral.objects.get(pk=pk)
        decision = referral.eligibility_decisions.first()
        reasons = decision.reasons if decision else []
        return SubmissionResult(
            reference=referral.reference,
            urgent=referral.self_harm_thoughts,
            ineligible=referral.eligibility == Eligibility.INELIGIBLE,
            reason_codes=tuple(r["code"] for r in reasons) if referral.eligibility == Eligibility.INELIGIBLE else (),
            signposts=tuple(_stored_signposts(reasons)),
        )
    duplicate = DuplicateSubmission.objects.get(pk=pk)
    return SubmissionResult(
        reference=duplicate.reference,
        urgent=duplicate.self_harm_thoughts,
        ineligible=duplicate.eligibility == Eligibility.INELIGIBLE,
        reason_codes=tuple(duplicate.reason_codes),
        signposts=tuple((str(c), str(n)) for c, n in duplicate.signposts),
    )


def _stored_signposts(reasons: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(r["signpost"][0], r["signpost"][1]) for r in reasons if r.get("signpost")]


def _reasons_for_storage(decision: Decision) -> list[dict[str, Any]]:
    # An ineligible decision has one reason and at most one signpost: keep them together,
    # so a replayed submission can show the same signposting.
    stored: list[dict[str, Any]] = decision.reasons_json
    if decision.outcome == Eligibility.INELIGIBLE:
        for reason, signpost in zip(stored, decision.signposts, strict=False):
            reason["signpost"] = [signpost.category, signpost.nation or ""]
    return stored


def referral_submit(
    *,
    answers: ReferralAnswers,
    channel: Channel | str = Channel.WEB,
    submission_key: str | None = None,
    submitted_by: User | None = None,
) -> SubmissionResult:
    """Record a self-referral in one transaction and return what to show the person.

    Guarantees:
    - the referral, its needs and its eligibility decision (with reasons and the register
      data used) are written together, personal data in encrypted fields;
    - the same `submission_key` never creates a second record: the earlier result comes back;
    - if an open referral already has this registration number, no referral is created: a
      `DuplicateSubmission` is kept for handlers and the open referral's own contact details
      are told. The result looks exactly like a new referral's, so someone typing another
      doctor's number learns nothing;
    - the typed email never links the request to an account: it stays unlinked until its
      emailed link is followed (proof of control of that mailbox, see `request_link_use`),
      unless `submitted_by`, a signed-in practitioner, is sending their own referral;
    - ineligible referrals are closed at once, with signposting.

    Sends (through the outbox, after commit) to the typed email and mobile, the same for a
    new referral and a repeat request: a discreet confirmation email, a text if texts are
    allowed, and (unless ineligible) the link to see the request online. A repeat request
    also tells the open referral's own contact details.
    """
    if not answers.self_referral or answers.profession not in REGISTER_FOR_PROFESSION:
        raise ValueError("Only a doctor's or dentist's own referral can be submitted")
    register = answers.register
    number = validate_register_number(register, answers.registration_number)
    index = registration_index(register, number)
    owner = submitted_by if submitted_by is not None and submitted_by.role == Role.PRACTITIONER else None

    with transaction.atomic():
        previous = _previous_result(submission_key)
        if previous is not None:
            return previous
        decision = assess(
            self_referral=True,
            profession=answers.profession,
            work_location=answers.work_location,
            name=answers.name,
            register=register,
            registration_number=number,
            entry=register_entry_find(register, number),
        )
        for attempt in range(2):
            existing = Referral.objects.open().with_registration(index).select_for_update().first()
            if existing is not None:
                return _duplicate_record(existing, answers, channel, submission_key, decision)
            try:
                with transaction.atomic():
                    referral = _referral_create(answers, channel, submission_key, number, index, decision, owner)
            except IntegrityError:
                # A concurrent request got there first: the same form posted twice (same key),
                # or another request created an open referral for this number since we looked.
                # Look again, once.
                previous = _previous_result(submission_key)
                if previous is not None:
                    return previous
                if attempt:
                    raise
            else:
                return _referral_welcome(referral, answers, decision)
    raise AssertionError("unreachable")


def _referral_create(
    answers: ReferralAnswers,
    channel: Channel | str,
    submission_key: str | None,
    number: str,
    index: str,
    decision: Decision,
    user: User | None,
) -> Referral:
    ineligible = decision.outcome == Eligibility.INELIGIBLE
    now = timezone.now()
    referral = Referral.objects.create(
        reference=reference_generate(),
        user=user,
        linked_at=now if user is not None else None,
        submission_key=submission_key,
        channel=channel,
        # Someone told they are not eligible has nothing waiting for the helpline.
        status=Status.CLOSED if ineligible else Status.NEW,
        closed_at=now if ineligible else None,
        closed_reason=ClosedReason.INELIGIBLE if ineligible else "",
        submitted_at=now,
        urgent=answers.self_harm_thoughts,
        profession=answers.profession,
        register=answers.register,
        registration_number=number,
        registration_index=index,
        work_location=answers.work_location,
        career_stage=answers.career_stage,
        career_stage_other=answers.career_stage_other,
        work_region=answers.work_region,
        employer=answers.employer,
        seen_where=answers.seen_where,
        seen_region=answers.seen_region,
        needs_other=answers.needs_other,
        self_harm_thoughts=answers.self_harm_thoughts,
        heard_about=answers.heard_about,
        name=answers.name,
        preferred_name=answers.preferred_name,
        date_of_birth=answers.date_of_birth,
        email=answers.email,
        mobile=answers.mobile,
        mobile_index=phone_index(answers.mobile),
        voicemail_ok=answers.voicemail_ok,
        texts_ok=answers.texts_ok,
        best_times=answers.best_times,
        people_known=answers.people_known,
        preferred_contact=PreferredContact.PHONE,
        eligibility=decision.outcome,
    )
    ReferralNeed.objects.bulk_create([ReferralNeed(referral=referral, need=need) for need in answers.needs])
    EligibilityDecision.objects.create(
        referral=referral,
        decision=decision.outcome,
        reasons=_reasons_for_storage(decision),
        register_snapshot=decision.snapshot_json,
        decided_at=now,
    )
    return referral


def _referral_welcome(referral: Referral, answers: ReferralAnswers, decision: Decision) -> SubmissionResult:
    """Messages and audit for a new referral (still inside the submitting transaction)."""
    _queue(_typed_address_messages(request=referral, answers=answers, decision=decision))
    audit_record(
        action=Action.CREATE,
        obj=referral,
        subject_id=referral.user_id,
        detail=f"referral submitted ({referral.get_channel_display().lower()})",
    )
    return SubmissionResult.from_decision(referral.reference, answers.self_harm_thoughts, decision)


def _typed_address_messages(
    *, request: Referral | DuplicateSubmission, answers: ReferralAnswers, decision: Decision
) -> list[OutgoingMessage]:
    """What the typed email and mobile get for any submission, new referral or repeat request alike.

    The same templates, count and channels whatever already exists for that registration
    number or email: the confirmation, and (unless ineligible) the link to see the request
    online. Nothing here depends on who else is in the service.
    """
    messages = _confirmation_messages(
        reference=request.reference,
        name=answers.preferred_name or answers.name,
        email=answers.email,
        mobile=answers.mobile if answers.texts_ok else "",
        subject_id=None,
        urgent=answers.self_harm_thoughts,
    )
    if decision.outcome != Eligibility.INELIGIBLE:
        messages.append(_request_link_message(request=request, email=answers.email))
    return messages


def _request_link_message(*, request: Referral | DuplicateSubmission, email: str) -> OutgoingMessage:
    """A one-use link, bound to this submission, to see it online after proving control of `email`."""
    token = secrets.token_hex(32)  # hex: no letters that could spell a word the discretion check refuses
    RequestLink.objects.create(
        token_index=request_link_index(token),
        referral=request if isinstance(request, Referral) else None,
        duplicate=request if isinstance(request, DuplicateSubmission) else None,
        expires_at=timezone.now() + REQUEST_LINK_VALIDITY,
    )
    path = reverse("referrals:request_link", kwargs={"token": token})
    return OutgoingMessage(
        channel=MessageChannel.EMAIL,
        template="account_activation",
        recipient=email,
        context={"link": f"{settings.PUBLIC_URL}{path}"},
        idempotency_key=f"request-link:{request.reference}",
        subject_id=None,
    )


def request_link_index(token: str) -> str:
    """The stored form of a request link's token (the token itself never reaches the database)."""
    return blind_index(token, purpose="referral-request-link")


def _confirmation_messages(
    *, reference: str, name: str, email: str, mobile: str, subject_id: int | None, urgent: bool = False
) -> list[OutgoingMessage]:
    """The discreet "we have your referral" email, and text if there is a number to text.

    An urgent request is told when the helpline will call (never "today" when it is shut)
    and the numbers that are open now, without naming what they are for.
    """
    context: dict[str, Any] = {"name": name, "reference": reference, "helpline": settings.HELPLINE_NUMBER}
    if urgent:
        promise = call_promise()
        context.update(call_when=promise.when, call_when_short=promise.short, open_lines=crisis_numbers())
    return [
        OutgoingMessage(
            channel=channel,
            template="referral_received",
            recipient=address,
            context=context,
            idempotency_key=f"referral-received:{channel}:{reference}",
            subject_id=subject_id,
        )
        for channel, address in ((MessageChannel.EMAIL, email), (MessageChannel.SMS, mobile))
        if address
    ]


def _queue(messages: list[OutgoingMessage]) -> None:
    """Queue a submission's messages in one insert and one broker publish.

    Every template here is fixed text (what a person typed is not checked: see
    notifications.messages), so a refusal by the discretion check is a bug in a template: it
    fails the submission (nothing is saved), as notify() would.
    """
    queued = notify_many(messages)
    if queued.refused:
        raise IndiscreetMessageError(
            f"{len(queued.refused)} of this submission's messages refused by the discretion check"
        )


def _duplicate_record(
    existing: Referral,
    answers: ReferralAnswers,
    channel: Channel | str,
    submission_key: str | None,
    decision: Decision,
) -> SubmissionResult:
    """A request for a number that already has an open referral: keep it, tell the referral's owner.

    The typed address gets exactly what a new referral's would (see _typed_address_messages);
    the open referral's own email and mobile are told discreetly as well.
    """
    result = SubmissionResult.from_decision(reference_generate(), answers.self_harm_thoughts, decision)
    duplicate = DuplicateSubmission.objects.create(
        referral=existing,
        reference=result.reference,
        submission_key=submission_key,
        channel=channel,
        self_harm_thoughts=answers.self_harm_thoughts,
        name=answers.name,
        preferred_name=answers.preferred_name,
        email=answers.email,
        mobile=answers.mobile,
        voicemail_ok=answers.voicemail_ok,
        texts_ok=answers.texts_ok,
        best_times=answers.best_times,
        people_known=answers.people_known,
        eligibility=decision.outcome,
        reason_codes=list(result.reason_codes),
        signposts=[list(s) for s in result.signposts],
    )
    if answers.self_harm_thoughts and not existing.urgent:
        # Whoever sent it, the safe response is a same-day call to the referral's own number.
        existing.urgent = True
        existing.save(update_fields=["urgent"])
        audit_record(
            action=Action.UPDATE,
            obj=existing,
            subject_id=existing.user_id,
            detail="marked urgent after a repeat request",
        )
    context = {"name": existing.address_as, "reference": existing.reference, "helpline": settings.HELPLINE_NUMBER}
    told = [
        OutgoingMessage(
            channel=message_channel,
            template="referral_repeat",
            recipient=address,
            context=context,
            idempotency_key=f"referral-repeat:{message_channel}:{duplicate.reference}",
            subject_id=existing.user_id,
        )
        for message_channel, address in (
            (MessageChannel.EMAIL, existing.email),
            (MessageChannel.SMS, existing.mobile if existing.texts_ok else ""),
        )
        if address
    ]
    _queue([*told, *_typed_address_messages(request=duplicate, answers=answers, decision=decision)])
    audit_record(
        action=Action.CREATE,
        obj=duplicate,
        subject_id=existing.user_id,
        detail="another referral request with the same registration number",
    )
    return result


# -- the emailed link: proof of control of the typed mailbox ---------------------------------------


class RequestLinkUsedError(ValueError):
    """The link was used already (by another tab or person), or has expired, since it was looked up."""


def request_link_find(token: str) -> RequestLink | None:
    """The unused, unexpired link with this token, or None (whatever the reason: no oracle)."""
    if not token:
        return None
    return (
        RequestLink.objects.filter(
            token_index=request_link_index(token), used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("referral", "duplicate")
        .first()
    )


def request_link_account(link: RequestLink) -> User | None:
    """The account that already has the email the link was sent to, if any."""
    return User.objects.get_by_email(link.request.email)


def request_link_use(*, link: RequestLink, user: User | None) -> None:
    """Spend the link; join its request to `user`, who must be the account with the typed email.

    Following the link proves control of the mailbox it was sent to; signing in to (or
    creating) the account with that email proves the account is theirs. Only both together
    link a request to an account. With `user` None (the email belongs to a staff account,
    which has no practitioner pages) the link is spent and nothing is linked. Raises
    RequestLinkUsedError if it was spent or expired in between.
    """
    with transaction.atomic():
        locked = (
            RequestLink.objects.select_for_update()
            .filter(pk=link.pk, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if locked is None:
            raise RequestLinkUsedError(str(link.pk))
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        if user is None:
            return
        request = link.request
        if user.role != Role.PRACTITIONER or email_index(user.email) != email_index(request.email):
            raise PermissionError("A request is linked only to the account with the email it was sent to")
        if request.user_id is None:
            request.user = user
            if isinstance(request, Referral):
                request.linked_at = locked.used_at
                request.save(update_fields=["user", "linked_at"])
            else:
                request.save(update_fields=["user"])
            audit_record(
                action=Action.UPDATE,
                obj=request,
                actor_id=user.pk,
                actor_role=user.role,
                subject_id=user.pk,
                detail="linked to your account from the emailed link",
            )


def request_link_account_create(*, link: RequestLink, password: str) -> User:
    """A practitioner account for the email the link was sent to, with this password, and the
    link's request joined to it (see request_link_use).

    An account already there without a usable password (made before requests were linked
    only by proof) gets the password instead.
    """
    with transaction.atomic():
        request = link.request
        user = User.objects.get_by_email(request.email)
        if user is None:
            name = request.address_as
            user = User.objects.create_user(request.email, password, role=Role.PRACTITIONER, full_name=name[:200])
        elif user.role == Role.PRACTITIONER and not user.has_usable_password():
            user.set_password(password)
            user.save(update_fields=["password"])
        else:
            raise PermissionError("That account already has a password: sign in instead")
        audit_record(
            action=Action.UPDATE,
            obj=user,
            actor_id=user.pk,
            actor_role=user.role,
            subject_id=user.pk,
            detail="password set",
        )
        request_link_use(link=link, user=user)
    return user


def referral_contact_preferences_update(
    *,
    referral: Referral | DuplicateSubmission,
    voicemail_ok: bool,
    texts_ok: bool,
    best_times: str,
    preferred_contact: str,
) -> Referral | DuplicateSubmission:
    """Change how the service may contact them. Audited as a change to their record."""
    with transaction.atomic():
        referral.voicemail_ok = voicemail_ok
        referral.texts_ok = texts_ok
        referral.best_times = best_times
        referral.preferred_contact = preferred_contact
        referral.save(update_fields=["voicemail_ok", "texts_ok", "best_times", "preferred_contact"])
        audit_record(action=Action.UPDATE, obj=referral, subject_id=referral.user_id, detail="contact preferences")
    return referral


def referral_people_known_update(
    *, referral: Referral | DuplicateSubmission, people_known: str
) -> Referral | DuplicateSubmission:
    """Change the list of people they would not want involved in their care. Audited."""
    with transaction.atomic():
        referral.people_known = people_known
        referral.save(update_fields=["people_known"])
        audit_record(action=Action.UPDATE, obj=referral, subject_id=referral.user_id, detail="people you know")
    return referral


# --- A referral's status: every change goes through one of the transitions below ----------

# Every move a referral's status may make, and no other. A transition that is not here is
# refused with ReferralTransitionError, whoever asks: so a closed referral cannot be triaged
# or assigned until it is reopened, and a referral with a clinician is ended by discharge.
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.CONTACTED, Status.TRIAGED, Status.ASSIGNED, Status.CLOSED}),
    Status.CONTACTED: frozenset({Status.TRIAGED, Status.ASSIGNED, Status.CLOSED}),
    # TRIAGED to itself: a second triage before assignment (the risk changed on a later call).
    Status.TRIAGED: frozenset({Status.TRIAGED, Status.ASSIGNED, Status.CLOSED}),
    # ASSIGNED to itself: a triage while with a clinician updates their handover, not the status.
    Status.ASSIGNED: frozenset({Status.ASSIGNED, Status.DISCHARGED}),
    Status.DISCHARGED: frozenset(),
    # Reopened: back to the helpline's first step it had not yet passed.
    Status.CLOSED: frozenset({Status.NEW, Status.CONTACTED}),
}

# What a refused move is called in the error a handler reads.
_MOVE_WORDS = {
    Status.CONTACTED: "marked as contacted",
    Status.TRIAGED: "triaged",
    Status.ASSIGNED: "assigned to a clinician",
    Status.DISCHARGED: "discharged",
    Status.CLOSED: "closed",
    Status.NEW: "reopened",
}


class ReferralTransitionError(ValueError):
    """A status change the referral's lifecycle does not allow (see ALLOWED_MOVES)."""

    def __init__(self, referral: Referral | DuplicateSubmission, to: str) -> None:
        self.referral = referral
        self.to = to
        if isinstance(referral, DuplicateSubmission):  # a repeat request has no lifecycle: only closed or not
            super().__init__(f"Request {referral.reference} cannot be {_MOVE_WORDS[Status(to)]}: it is closed.")
            return
        current = Status(referral.status).label.lower()
        super().__init__(f"Referral {referral.reference} cannot be {_MOVE_WORDS[Status(to)]}: it is {current}.")


class ReferralNotClosableError(ReferralTransitionError):
    """The referral is with a clinician (whose discharge ends it) or already finished."""


class ReferralReopenError(ValueError):
    """The referral cannot be reopened (not closed, or the person has another open referral)."""


def transition_allowed(current: str, to: str) -> bool:
    return to in ALLOWED_MOVES.get(current, frozenset())


def _locked(referral: Referral) -> Referral:
    """The referral's row, locked for this transaction, with the caller's instance refreshed."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    for name in ("status", "first_contact_at", "closed_at", "closed_reason", "eligibility", "urgent"):
        setattr(referral, name, getattr(locked, name))
    return referral


def _move(referral: Referral, to: str, *, error: type[ReferralTransitionError] = ReferralTransitionError) -> None:
    if not transition_allowed(referral.status, to):
        raise error(referral, to)
    referral.status = to


def referral_mark_contacted(*, referral: Referral, at: datetime | None = None) -> Referral:
    """The helpline reached them. Records the first contact (once) and moves a new referral on
    to "contacted"; later in the pathway only the first-contact time is filled in if missing.
    A finished referral keeps its status (a call from someone whose referral closed is logged,
    and does not reopen it: a handler reopens it, with a reason)."""
    with transaction.atomic():
        _locked(referral)
        fields = []
        if referral.first_contact_at is None:
            referral.first_contact_at = at or timezone.now()
            fields.append("first_contact_at")
        if referral.status == Status.NEW:
            _move(referral, Status.CONTACTED)
            fields.append("status")
        if fields:
            referral.save(update_fields=fields)
    return referral


def referral_mark_triaged(*, referral: Referral, high_risk: bool = False) -> Referral:
    """A triage was recorded. Counts as contact; moves new or contacted referrals to "triaged"
    (one with a clinician stays with them). High risk marks the referral urgent, so it stays
    in the urgent queue until a clinician has seen them. Refused for a finished referral."""
    with transaction.atomic():
        _locked(referral)
        target = Status.ASSIGNED if referral.status == Status.ASSIGNED else Status.TRIAGED
        _move(referral, target)
        fields = ["status"]
        if referral.first_contact_at is None:
            referral.first_contact_at = timezone.now()
            fields.append("first_contact_at")
        if high_risk and not referral.urgent:
            referral.urgent = True
            fields.append("urgent")
        referral.save(update_fields=fields)
    return referral


def referral_mark_assigned(*, referral: Referral) -> Referral:
    """A care episode started (the clinicians app calls this). Refused for a finished referral
    and one already with a clinician."""
    with transaction.atomic():
        _locked(referral)
        if referral.status == Status.ASSIGNED:
            raise ReferralTransitionError(referral, Status.ASSIGNED)
        _move(referral, Status.ASSIGNED)
        referral.save(update_fields=["status"])
    return referral


def referral_mark_discharged(*, referral: Referral, at: datetime | None = None) -> Referral:
    """Care finished (the clinicians app calls this when the episode ends)."""
    with transaction.atomic():
        _locked(referral)
        _move(referral, Status.DISCHARGED)
        referral.closed_at = at or timezone.now()
        referral.save(update_fields=["status", "closed_at"])
    return referral


def referral_close(
    *, referral: Referral | DuplicateSubmission, reason: ClosedReason | str, closed_by: User
) -> Referral | DuplicateSubmission:
    """Close a referral before care: the practitioner stops it, or the helpline closes it.

    The helpline's scheduled callbacks for it are cancelled in the same transaction (through
    `referral_closed`), so nobody rings a person who asked us not to. The referral leaves every
    queue, and the person may refer themselves again at once.

    A repeat request (shown to whoever followed its link as their own request) is stopped on
    its own: the open referral it repeats belongs to someone else and is untouched.

    A handler may also close as not eligible, only after that eligibility decision is recorded.
    Refused (ReferralNotClosableError) for a referral with a clinician or already finished.
    """
    if reason not in ClosedReason.values:
        raise ValueError(f"Not a reason to close a referral before care: {reason}")
    if isinstance(referral, DuplicateSubmission):
        return _duplicate_close(duplicate=referral, reason=reason)
    with transaction.atomic():
        _locked(referral)
        if reason == ClosedReason.INELIGIBLE and referral.eligibility != Eligibility.INELIGIBLE:
            raise ValueError("Not a reason to close this referral: record the eligibility decision first")
        _move(referral, Status.CLOSED, error=ReferralNotClosableError)
        referral.closed_at = timezone.now()
        referral.closed_reason = reason
        referral.save(update_fields=["status", "closed_at", "closed_reason"])
        referral_closed.send(sender=Referral, referral=referral)
        if reason == ClosedReason.NOT_REACHED and referral.email:
            # They may not know we tried: a discreet email says so, and how to come back.
            notify(
                channel=MessageChannel.EMAIL,
                template="referral_not_reached",
                recipient=referral.email,
                context={
                    "name": referral.address_as,
                    "reference": referral.reference,
                    "helpline": settings.HELPLINE_NUMBER,
                },
                idempotency_key=f"referral-not-reached:{referral.reference}",
                subject_id=referral.user_id,
            )
        audit_record(
            action=Action.UPDATE,
            obj=referral,
            subject_id=referral.user_id,
            # Read by the practitioner too ("Who has looked at your record"): words, not codes.
            detail=f"referral closed: {ClosedReason(reason).label.lower()}",
        )
    logger.info("Referral %s closed before care (%s) by user %s", referral.pk, reason, closed_by.pk)
    return referral


def referral_reopen(*, referral: Referral, reason: ReopenReason | str, reopened_by: User) -> Referral:
    """Open a closed referral again, audited with the reason.

    It goes back to "contacted" if the helpline ever reached them, otherwise "new", and so into
    a queue. One closed as not eligible goes back for an eligibility review. Refused
    (ReferralReopenError) if it is not closed, or if the person has another open referral
    (the one-open-referral rule): work on that one instead.
    """
    if reason not in ReopenReason.values:
        raise ReferralReopenError("Choose why you are reopening this referral")
    with transaction.atomic():
        _locked(referral)
        if referral.status != Status.CLOSED:
            raise ReferralReopenError(f"Referral {referral.reference} is not closed.")
        other = Referral.objects.open().with_registration(referral.registration_index).exclude(pk=referral.pk).first()
        if other is not None:
            raise ReferralReopenError(f"They have another open referral, {other.reference}: work on that one instead.")
        fields = ["status", "closed_at", "closed_reason"]
        if referral.closed_reason == ClosedReason.INELIGIBLE or referral.eligibility == Eligibility.INELIGIBLE:
            referral.eligibility = Eligibility.NEEDS_REVIEW
            fields.append("eligibility")
        _move(referral, Status.CONTACTED if referral.first_contact_at else Status.NEW)
        referral.closed_at = None
        referral.closed_reason = ""
        try:
            with transaction.atomic():
                referral.save(update_fields=fields)
        except IntegrityError as exc:  # a new referral for the same number, made just now
            raise ReferralReopenError("They have another open referral: work on that one instead.") from exc
        audit_record(
            action=Action.UPDATE,
            obj=referral,
            subject_id=referral.user_id,
            detail=f"referral reopened: {ReopenReason(reason).label.lower()}",
        )
    logger.info("Referral %s reopened (%s) by user %s", referral.pk, reason, reopened_by.pk)
    return referral


def _duplicate_close(*, duplicate: DuplicateSubmission, reason: ClosedReason | str) -> DuplicateSubmission:
    with transaction.atomic():
        locked = DuplicateSubmission.objects.select_for_update().get(pk=duplicate.pk)
        if not locked.closable:
            raise ReferralNotClosableError(duplicate, Status.CLOSED)
        duplicate.closed_at = timezone.now()
        duplicate.closed_reason = reason
        duplicate.save(update_fields=["closed_at", "closed_reason"])
        audit_record(
            action=Action.UPDATE,
            obj=duplicate,
            subject_id=duplicate.user_id,
            detail=f"request closed: {ClosedReason(reason).label.lower()}",
        )
    return duplicate
