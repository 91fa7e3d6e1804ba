"""Writes for referrals: submitting one, and the practitioner's own changes to it."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.utils import timezone

from practitioner_health.accounts.models import Role, User
from practitioner_health.accounts.services import password_link_message
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.crisis import crisis_numbers
from practitioner_health.crypto import blind_index, email_index, phone_index
from practitioner_health.hours import call_promise
from practitioner_health.notifications.messages import IndiscreetMessageError
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
    Status,
)
from .signals import referral_closed

logger = logging.getLogger(__name__)

# Reference numbers: no 0/O or 1/I, so they can be read out on the phone without mistakes.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_ATTEMPTS = 20


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
    - eligible and needs-review referrals get a practitioner account (new, or found by
      email) and an activation link; ineligible ones are closed at once, with signposting.

    Sends (through the outbox, after commit): a discreet confirmation email, a text if
    texts are allowed, and the activation email.
    """
    if not answers.self_referral or answers.profession not in REGISTER_FOR_PROFESSION:
        raise ValueError("Only a doctor's or dentist's own referral can be submitted")
    register = answers.register
    number = validate_register_number(register, answers.registration_number)
    index = registration_index(register, number)

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
                    user = _practitioner_account(answers) if decision.outcome != Eligibility.INELIGIBLE else None
                    referral = _referral_create(answers, channel, submission_key, number, index, decision, user)
            except IntegrityError:
                # A concurrent request got there first: the same form posted twice (same key),
                # or another request created an open referral for this number or an account
                # for this email since we looked. Look again, once.
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


def _practitioner_account(answers: ReferralAnswers) -> User | None:
    """The practitioner account for this referral: found by email, or created without a password.

    A staff account with the same email is never linked: one person, one role.
    """
    user = User.objects.get_by_email(answers.email)
    if user is None:
        name = answers.preferred_name or answers.name
        return User.objects.create_user(answers.email, None, role=Role.PRACTITIONER, full_name=name[:200])
    if user.role != Role.PRACTITIONER:
        logger.warning("Self-referral matched staff account %s; no practitioner account linked", user.pk)
        return None
    return user


def _referral_welcome(referral: Referral, answers: ReferralAnswers, decision: Decision) -> SubmissionResult:
    """Account, messages and audit for a new referral (still inside the submitting transaction)."""
    user = referral.user
    messages = _confirmation_messages(
        reference=referral.reference,
        name=referral.address_as,
        email=referral.email,
        mobile=referral.mobile if referral.texts_ok else "",
        subject_id=referral.user_id,
        urgent=answers.self_harm_thoughts,
    )
    if user is not None and not user.has_usable_password():
        messages.append(password_link_message(user=user, template="account_activation"))
    _queue(messages)
    audit_record(
        action=Action.CREATE,
        obj=referral,
        subject_id=referral.user_id,
        detail=f"referral submitted ({referral.get_channel_display().lower()})",
    )
    return SubmissionResult.from_decision(referral.reference, answers.self_harm_thoughts, decision)


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

    Every template here is fixed text, so a refusal by the discretion check is a bug in a
    template: it fails the submission (nothing is saved), as notify() would.
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
    """A request for a number that already has an open referral: keep it, tell the referral's owner."""
    result = SubmissionResult.from_decision(reference_generate(), answers.self_harm_thoughts, decision)
    duplicate = DuplicateSubmission.objects.create(
        referral=existing,
        reference=result.reference,
        submission_key=submission_key,
        channel=channel,
        self_harm_thoughts=answers.self_harm_thoughts,
        name=answers.name,
        email=answers.email,
        mobile=answers.mobile,
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
    notify(
        channel=MessageChannel.EMAIL,
        template="referral_repeat",
        recipient=existing.email,
        context=context,
        idempotency_key=f"referral-repeat:email:{duplicate.reference}",
        subject_id=existing.user_id,
    )
    if existing.texts_ok:
        notify(
            channel=MessageChannel.SMS,
            template="referral_repeat",
            recipient=existing.mobile,
            context=context,
            idempotency_key=f"referral-repeat:sms:{duplicate.reference}",
            subject_id=existing.user_id,
        )
    # The address typed in gets the same confirmation a new referral would, unless it is the
    # referral's own (which has just been told above).
    same_email = email_index(answers.email) == email_index(existing.email)
    same_mobile = phone_index(answers.mobile) == existing.mobile_index
    _queue(
        _confirmation_messages(
            reference=duplicate.reference,
            name=answers.preferred_name or answers.name,
            email="" if same_email else answers.email,
            mobile="" if (same_mobile or not answers.texts_ok) else answers.mobile,
            subject_id=None,
            urgent=answers.self_harm_thoughts,
        )
    )
    audit_record(
        action=Action.CREATE,
        obj=duplicate,
        subject_id=existing.user_id,
        detail="another referral request with the same registration number",
    )
    return result


def referral_contact_preferences_update(
    *,
    referral: Referral,
    voicemail_ok: bool,
    texts_ok: bool,
    best_times: str,
    preferred_contact: str,
) -> Referral:
    """Change how the service may contact them. Audited as a change to their record."""
    with transaction.atomic():
        referral.voicemail_ok = voicemail_ok
        referral.texts_ok = texts_ok
        referral.best_times = best_times
        referral.preferred_contact = preferred_contact
        referral.save(update_fields=["voicemail_ok", "texts_ok", "best_times", "preferred_contact"])
        audit_record(action=Action.UPDATE, obj=referral, subject_id=referral.user_id, detail="contact preferences")
    return referral


def referral_people_known_update(*, referral: Referral, people_known: str) -> Referral:
    """Change the list of people they would not want involved in their care. Audited."""
    with transaction.atomic():
        referral.people_known = people_known
        referral.save(update_fields=["people_known"])
        audit_record(action=Action.UPDATE, obj=referral, subject_id=referral.user_id, detail="people you know")
    return referral


class ReferralNotClosableError(ValueError):
    """The referral is with a clinician (whose discharge ends it) or already finished."""


def referral_close(*, referral: Referral, reason: ClosedReason | str, closed_by: User) -> Referral:
    """Close a referral before care: the practitioner stops it, or the helpline closes it.

    The helpline's scheduled callbacks for it are cancelled in the same transaction (through
    `referral_closed`), so nobody rings a person who asked us not to. The referral leaves every
    queue, and the person may refer themselves again at once.
    """
    if reason not in {ClosedReason.WITHDRAWN, ClosedReason.DECLINED, ClosedReason.NOT_REACHED}:
        raise ValueError(f"Not a reason to close a referral before care: {reason}")
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if not locked.closable:
            raise ReferralNotClosableError(referral.reference)
        referral.status = Status.CLOSED
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
