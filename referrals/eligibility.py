"""Who the service is for (DOMAIN.md, "Eligibility"), as plain functions.

`screen` answers the questions the form can settle on its own (self-referral, student,
where they work); `assess` adds what the register extract says. Nothing here refuses
someone because of the register: a missing, erased or differently named entry goes to a
handler (`needs_review`), and regulatory status (suspended, conditions, warnings) never
changes the outcome.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from practitioner_health.crypto import blind_index

from .models import Eligibility, Profession, Register, RegisterEntry, RegisterStatus, WorkLocation

STUDENT_PROFESSIONS = frozenset({"medical-student", "dental-student"})
DEVOLVED_NATIONS = frozenset({WorkLocation.SCOTLAND, WorkLocation.WALES, WorkLocation.NORTHERN_IRELAND})
REGISTER_FOR_PROFESSION = {Profession.DOCTOR: Register.GMC, Profession.DENTIST: Register.GDC}
NUMBER_NAMES = {Register.GMC: "GMC reference number", Register.GDC: "GDC registration number"}

_DIGITS = re.compile(r"[0-9]+")


class RegisterNumberError(ValueError):
    """A registration number that cannot be right. `str(error)` is the message for the person typing it;
    `reason` is the same problem in a few words, for import reports."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def validate_register_number(register: str, text: str) -> str:
    """Return the number with all whitespace removed, or raise ValueError with a message to show the user.

    GMC reference numbers are exactly 7 digits; GDC registration numbers are 3 to 6 digits.
    Only the ASCII digits 0-9 count (other scripts' digits are refused, not converted).
    """
    if register not in (Register.GMC, Register.GDC):
        raise ValueError(f"Unknown register {register!r}: use GMC or GDC")
    name = NUMBER_NAMES[Register(register)]
    number = "".join(str(text or "").split())
    if not number:
        raise RegisterNumberError(f"Enter your {name}", "is empty")
    if not _DIGITS.fullmatch(number):
        raise RegisterNumberError(f"Your {name} must only include numbers 0 to 9", "must only include numbers 0 to 9")
    if register == Register.GMC and len(number) != 7:
        raise RegisterNumberError(f"Your {name} must be 7 digits", "must be 7 digits")
    if register == Register.GDC and not 3 <= len(number) <= 6:
        raise RegisterNumberError(f"Your {name} must be between 3 and 6 digits", "must be between 3 and 6 digits")
    return number


def registration_index(register: str, number: str) -> str:
    """The keyed hash used to find a registration number: on referrals and on register entries."""
    return blind_index(f"{register}:{number}", purpose="registration-number")


def name_tokens(text: str) -> list[str]:
    """Lower-case letter runs with accents removed: "O'Brien-Núñez" -> ["o", "brien", "nunez"]."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(ch if ch.isalpha() else " " for ch in decomposed if not unicodedata.combining(ch))
    return letters.casefold().split()


def surname_matches(register_surname: str, name: str) -> bool:
    """Does the register surname appear in the name given, ignoring case, accents, spaces and punctuation?

    "Smith-Jones" matches "Ann Smith Jones"; "MacDonald" matches "Iain Mac Donald";
    "Smith" does not match "Ann Smithson".
    """
    wanted = "".join(name_tokens(register_surname))
    tokens = name_tokens(name)
    if not wanted:
        return False
    for start in range(len(tokens)):
        joined = ""
        for token in tokens[start:]:
            joined += token
            if joined == wanted:
                return True
            if len(joined) >= len(wanted):
                break
    return False


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Signpost:
    """Where to point someone who is not eligible: a signposting category and, optionally, a nation."""

    category: str
    nation: str | None = None


@dataclass(frozen=True)
class Decision:
    outcome: Eligibility
    reasons: tuple[Reason, ...]
    snapshot: dict[str, Any] = field(default_factory=dict)
    signposts: tuple[Signpost, ...] = ()

    @property
    def reasons_json(self) -> list[dict[str, str]]:
        return [reason.as_dict() for reason in self.reasons]

    @property
    def snapshot_json(self) -> str:
        return json.dumps(self.snapshot, sort_keys=True)


NATION_NAMES = {
    WorkLocation.SCOTLAND: "Scotland",
    WorkLocation.WALES: "Wales",
    WorkLocation.NORTHERN_IRELAND: "Northern Ireland",
}


def screen(*, self_referral: bool, profession: str, work_location: str | None = None) -> Decision | None:
    """The refusals that need no register: a `Decision` if one applies, otherwise None.

    Used by the form to end the journey early (on the page that explains why) and by
    `assess`, so the rule lives in one place.
    """
    if not self_referral:
        return Decision(
            Eligibility.INELIGIBLE,
            (Reason("third-party", "Made on someone else's behalf: the service only accepts self-referrals."),),
        )
    if profession in STUDENT_PROFESSIONS:
        return Decision(
            Eligibility.INELIGIBLE,
            (Reason("student", "Medical and dental students are not eligible."),),
            signposts=(Signpost("financial-and-personal"),),
        )
    if work_location in DEVOLVED_NATIONS:
        nation = NATION_NAMES[WorkLocation(work_location)]
        return Decision(
            Eligibility.INELIGIBLE,
            (Reason(f"devolved-{work_location}", f"Works in {nation}, which has its own service."),),
            signposts=(Signpost("devolved-nations", work_location),),
        )
    if work_location == WorkLocation.OUTSIDE_UK:
        return Decision(
            Eligibility.INELIGIBLE,
            (Reason("outside-uk", "Works outside the UK and is not returning to practice in England."),),
            signposts=(Signpost("return-to-practice"),),
        )
    return None


def _snapshot(register: str, entry: RegisterEntry | None, surname_matched: bool | None) -> dict[str, Any]:
    if entry is None:
        return {"register": register, "found": False}
    return {
        "register": register,
        "found": True,
        "status": entry.status,
        "status_text": entry.status_text,
        "surname": entry.surname,
        "given_names": entry.given_names,
        "surname_matched": surname_matched,
        "imported_at": entry.imported_at.isoformat(),
    }


def assess(
    *,
    self_referral: bool,
    profession: str,
    work_location: str,
    name: str,
    register: str | None = None,
    registration_number: str | None = None,
    entry: RegisterEntry | None = None,
) -> Decision:
    """Decide eligibility from the answers and the register entry found for their number (or None).

    The result carries its reasons and the register data it used, to be stored with the referral.
    """
    refused = screen(self_referral=self_referral, profession=profession, work_location=work_location)
    if register is None and profession in REGISTER_FOR_PROFESSION:
        register = REGISTER_FOR_PROFESSION[Profession(profession)]
    if refused is not None:
        return Decision(refused.outcome, refused.reasons, _snapshot(register or "", entry, None), refused.signposts)

    reasons: list[Reason] = []
    review: list[Reason] = []
    if work_location == WorkLocation.RETURNING:
        reasons.append(Reason("returning", "Returning to clinical practice in England."))
    else:
        reasons.append(Reason("works-in-england", "Works in England."))

    matched: bool | None = None
    if entry is None:
        review.append(Reason("register-not-found", f"The number was not found in the {register} register extract."))
    else:
        matched = surname_matches(entry.surname, name)
        if entry.status == RegisterStatus.ERASED:
            review.append(Reason("register-erased", "The register extract shows the registration as erased or lapsed."))
        elif entry.status in (RegisterStatus.SUSPENDED, RegisterStatus.REGISTERED_WITH_CONDITIONS):
            reasons.append(
                Reason(
                    "regulatory-status",
                    f"Under regulatory procedures ({entry.get_status_display().lower()}): this never affects eligibility.",
                )
            )
        else:
            reasons.append(
                Reason("registered", f"Registered with the {register} ({entry.get_status_display().lower()}).")
            )
        if not matched:
            review.append(Reason("surname-mismatch", "The surname on the register does not match the name given."))

    snapshot = _snapshot(register or "", entry, matched)
    if registration_number:
        snapshot["number"] = registration_number
    if review:
        return Decision(Eligibility.NEEDS_REVIEW, tuple(reasons + review), snapshot)
    return Decision(Eligibility.ELIGIBLE, tuple(reasons), snapshot)


def register_entry_find(register: str, number: str) -> RegisterEntry | None:
    return RegisterEntry.objects.filter(register=register, number_index=registration_index(register, number)).first()
