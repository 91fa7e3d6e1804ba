"""Eligibility rules (DOMAIN.md) and registration number validation."""

from __future__ import annotations

import json

import pytest

from referrals.eligibility import (
    assess,
    register_entry_find,
    registration_index,
    screen,
    surname_matches,
    validate_register_number,
)
from referrals.models import Eligibility, RegisterStatus
from tests.referrals.factories import RegisterEntryFactory

# -- validate_register_number --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("register", "typed", "expected"),
    [
        ("GMC", "1234567", "1234567"),
        ("GMC", " 1234567 ", "1234567"),
        ("GMC", "123 4567", "1234567"),
        ("GMC", "12\t34\n567", "1234567"),
        ("GMC", "\u00a01234567\u2003", "1234567"),  # no-break and em spaces from copy and paste
        ("GMC", "0000001", "0000001"),  # leading zeros are kept, not an integer
        ("GDC", "123", "123"),
        ("GDC", "123456", "123456"),
        ("GDC", " 81 234 ", "81234"),
    ],
)
def test_it_accepts_and_normalises_a_valid_number(register: str, typed: str, expected: str) -> None:
    assert validate_register_number(register, typed) == expected


@pytest.mark.parametrize(
    ("register", "typed", "message"),
    [
        ("GMC", "", "Enter your GMC reference number"),
        ("GMC", "   ", "Enter your GMC reference number"),
        ("GMC", "123456", "Your GMC reference number must be 7 digits"),
        ("GMC", "12345678", "Your GMC reference number must be 7 digits"),
        ("GMC", "GMC1234567", "Your GMC reference number must only include numbers 0 to 9"),
        ("GMC", "123-4567", "Your GMC reference number must only include numbers 0 to 9"),
        ("GMC", "1234567.0", "Your GMC reference number must only include numbers 0 to 9"),
        ("GMC", "-123456", "Your GMC reference number must only include numbers 0 to 9"),
        (
            "GMC",
            "\u0661\u0662\u0663\u0664\u0665\u0666\u0667",
            "Your GMC reference number must only include numbers 0 to 9",
        ),  # Arabic-Indic digits
        (
            "GMC",
            "\uff11\uff12\uff13\uff14\uff15\uff16\uff17",
            "Your GMC reference number must only include numbers 0 to 9",
        ),  # full-width digits
        (
            "GMC",
            "\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078",
            "Your GMC reference number must only include numbers 0 to 9",
        ),
        ("GDC", "", "Enter your GDC registration number"),
        ("GDC", "12", "Your GDC registration number must be between 3 and 6 digits"),
        ("GDC", "1234567", "Your GDC registration number must be between 3 and 6 digits"),
        ("GDC", "12a45", "Your GDC registration number must only include numbers 0 to 9"),
    ],
)
def test_it_refuses_an_impossible_number_with_a_message_for_the_user(register: str, typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        validate_register_number(register, typed)


@pytest.mark.parametrize("register", ["", "gmc", "NMC", "GMC "])
def test_it_refuses_an_unknown_register(register: str) -> None:
    with pytest.raises(ValueError, match="Unknown register"):
        validate_register_number(register, "1234567")


def test_the_registration_index_is_keyed_and_separates_the_registers() -> None:
    assert registration_index("GMC", "1234567") == registration_index("GMC", "1234567")
    assert registration_index("GMC", "123456") != registration_index("GDC", "123456")
    assert "1234567" not in registration_index("GMC", "1234567")


# -- surnames ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("register_surname", "name", "matches"),
    [
        ("Smith", "Dr Anna Smith", True),
        ("SMITH", "anna smith", True),
        ("Smith-Jones", "Anna Smith Jones", True),
        ("Smith Jones", "Anna Smith-Jones", True),
        ("O'Brien", "Siobhan OBrien", True),
        ("MacDonald", "Iain Mac Donald", True),
        ("Núñez", "Maria Nunez", True),
        ("Nunez", "María José Núñez", True),
        ("Smith", "Anna Smithson", False),
        ("Smithson", "Anna Smith", False),
        ("Jones", "Anna Smith", False),
        ("Smith", "", False),
        ("", "Anna Smith", False),
    ],
)
def test_surname_matching_ignores_case_accents_and_punctuation(register_surname: str, name: str, matches: bool) -> None:
    assert surname_matches(register_surname, name) is matches


# -- the rules -----------------------------------------------------------------------------------


def _entry(status: RegisterStatus, surname: str = "Tregothnan") -> object:
    return RegisterEntryFactory.build(status=status, surname=surname, status_text=status.label)


NAME = "Dr Morwenna Tregothnan"

# (case, answers, register status or None for "not in the extract", outcome, reason codes expected)
CASES = [
    (
        "registered, works in England",
        {},
        RegisterStatus.REGISTERED,
        Eligibility.ELIGIBLE,
        {"works-in-england", "registered"},
    ),
    (
        "returning to practice",
        {"work_location": "returning"},
        RegisterStatus.REGISTERED,
        Eligibility.ELIGIBLE,
        {"returning"},
    ),
    ("suspended: still eligible", {}, RegisterStatus.SUSPENDED, Eligibility.ELIGIBLE, {"regulatory-status"}),
    (
        "conditions or warnings: still eligible",
        {},
        RegisterStatus.REGISTERED_WITH_CONDITIONS,
        Eligibility.ELIGIBLE,
        {"regulatory-status"},
    ),
    ("provisionally registered trainee", {}, RegisterStatus.PROVISIONAL, Eligibility.ELIGIBLE, {"registered"}),
    ("registered without a licence", {}, RegisterStatus.NOT_LICENSED, Eligibility.ELIGIBLE, {"registered"}),
    (
        "dentist on the GDC register",
        {"profession": "dentist"},
        RegisterStatus.REGISTERED,
        Eligibility.ELIGIBLE,
        {"registered"},
    ),
    ("not in the extract", {}, None, Eligibility.NEEDS_REVIEW, {"register-not-found"}),
    (
        "returner not in the extract",
        {"work_location": "returning"},
        None,
        Eligibility.NEEDS_REVIEW,
        {"returning", "register-not-found"},
    ),
    ("erased", {}, RegisterStatus.ERASED, Eligibility.NEEDS_REVIEW, {"register-erased"}),
    (
        "returner whose registration lapsed",
        {"work_location": "returning"},
        RegisterStatus.ERASED,
        Eligibility.NEEDS_REVIEW,
        {"register-erased"},
    ),
    (
        "surname does not match",
        {"name": "Dr Morwenna Pascoe"},
        RegisterStatus.REGISTERED,
        Eligibility.NEEDS_REVIEW,
        {"surname-mismatch"},
    ),
    (
        "suspended and surname does not match",
        {"name": "Dr M Pascoe"},
        RegisterStatus.SUSPENDED,
        Eligibility.NEEDS_REVIEW,
        {"regulatory-status", "surname-mismatch"},
    ),
    (
        "erased and surname does not match",
        {"name": "Dr M Pascoe"},
        RegisterStatus.ERASED,
        Eligibility.NEEDS_REVIEW,
        {"register-erased", "surname-mismatch"},
    ),
    (
        "referral for someone else",
        {"self_referral": False},
        RegisterStatus.REGISTERED,
        Eligibility.INELIGIBLE,
        {"third-party"},
    ),
    ("medical student", {"profession": "medical-student"}, None, Eligibility.INELIGIBLE, {"student"}),
    ("dental student", {"profession": "dental-student"}, None, Eligibility.INELIGIBLE, {"student"}),
    (
        "works in Scotland",
        {"work_location": "scotland"},
        RegisterStatus.REGISTERED,
        Eligibility.INELIGIBLE,
        {"devolved-scotland"},
    ),
    (
        "works in Wales",
        {"work_location": "wales"},
        RegisterStatus.REGISTERED,
        Eligibility.INELIGIBLE,
        {"devolved-wales"},
    ),
    (
        "works in Northern Ireland",
        {"work_location": "northern-ireland"},
        RegisterStatus.REGISTERED,
        Eligibility.INELIGIBLE,
        {"devolved-northern-ireland"},
    ),
    (
        "works outside the UK",
        {"work_location": "outside-uk"},
        RegisterStatus.REGISTERED,
        Eligibility.INELIGIBLE,
        {"outside-uk"},
    ),
    (
        "suspended and in Wales: Wales decides, not the suspension",
        {"work_location": "wales"},
        RegisterStatus.SUSPENDED,
        Eligibility.INELIGIBLE,
        {"devolved-wales"},
    ),
]


@pytest.mark.parametrize(("case", "changes", "status", "outcome", "codes"), CASES, ids=[c[0] for c in CASES])
def test_eligibility_rules(
    case: str, changes: dict, status: RegisterStatus | None, outcome: Eligibility, codes: set
) -> None:
    answers = {"self_referral": True, "profession": "doctor", "work_location": "england", "name": NAME, **changes}
    decision = assess(**answers, entry=_entry(status) if status else None)
    assert decision.outcome == outcome, decision.reasons
    assert codes <= {reason.code for reason in decision.reasons}
    assert all(reason.message for reason in decision.reasons)


@pytest.mark.parametrize("status", list(RegisterStatus))
def test_regulatory_status_alone_never_makes_someone_ineligible(status: RegisterStatus) -> None:
    decision = assess(self_referral=True, profession="doctor", work_location="england", name=NAME, entry=_entry(status))
    assert decision.outcome != Eligibility.INELIGIBLE


@pytest.mark.parametrize(
    ("work_location", "category", "nation"),
    [
        ("scotland", "devolved-nations", "scotland"),
        ("wales", "devolved-nations", "wales"),
        ("northern-ireland", "devolved-nations", "northern-ireland"),
        ("outside-uk", "return-to-practice", None),
    ],
)
def test_an_ineligible_decision_says_where_to_signpost(work_location: str, category: str, nation: str | None) -> None:
    decision = screen(self_referral=True, profession="doctor", work_location=work_location)
    assert decision is not None and decision.outcome == Eligibility.INELIGIBLE
    assert [(s.category, s.nation) for s in decision.signposts] == [(category, nation)]


def test_students_are_pointed_to_support_that_takes_students() -> None:
    decision = screen(self_referral=True, profession="medical-student")
    assert decision is not None
    assert [s.category for s in decision.signposts] == ["financial-and-personal"]


def test_screening_lets_england_and_returners_through() -> None:
    assert screen(self_referral=True, profession="doctor", work_location="england") is None
    assert screen(self_referral=True, profession="dentist", work_location="returning") is None


@pytest.mark.django_db
def test_a_decision_keeps_the_register_data_it_used() -> None:
    entry = RegisterEntryFactory(
        number="7294613",
        surname="Tregothnan",
        status=RegisterStatus.SUSPENDED,
        status_text="Suspended",
    )
    found = register_entry_find("GMC", "7294613")
    assert found == entry
    decision = assess(
        self_referral=True,
        profession="doctor",
        work_location="england",
        name=NAME,
        registration_number="7294613",
        entry=found,
    )
    snapshot = json.loads(decision.snapshot_json)
    assert snapshot["found"] is True
    assert snapshot["status"] == "suspended" and snapshot["status_text"] == "Suspended"
    assert snapshot["surname"] == "Tregothnan" and snapshot["surname_matched"] is True
    assert snapshot["number"] == "7294613" and snapshot["register"] == "GMC"


@pytest.mark.django_db
def test_lookups_use_the_register_and_the_number() -> None:
    RegisterEntryFactory(register="GDC", number="123456")
    assert register_entry_find("GDC", "123456") is not None
    assert register_entry_find("GMC", "1234567") is None
