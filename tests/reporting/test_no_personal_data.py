"""No person ever reaches a commissioner: every reporting page and the CSV, over a service full
of known names, contact details, registration numbers, references and notes, shows none of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import models
from django.test import Client

from clinicians.models import AppointmentStatus, SessionNote
from practitioner_health.accounts.models import Role, User
from reporting.models import FACT_MODELS, FactsRefresh
from tests.factories import ReferralFactory, UserFactory
from triage.models import CallLog, Direction, Pathway, RiskLevel, TriageAssessment, Urgency

from . import factories as f
from .factories import ANSWERED, NO_ANSWER, at
from .helpers import refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]

# Made-up people; each string is distinctive enough never to appear by chance.
PEOPLE = [
    {
        "name": "Zebedee Quartermaine",
        "preferred_name": "Zeb Quokka",
        "email": "zebedee.quartermaine@private-mail.example",
        "mobile": "+447700914321",
        "registration_number": "7654321",
        "reference": "PHZQ9X7K2M4",
        "employer": "St Elsewhere Quayside Hospital",
        "region": "london",
    },
    {
        "name": "Ottoline Vanterpool",
        "preferred_name": "Otty Vee",
        "email": "o.vanterpool@another-mail.example",
        "mobile": "+447700958876",
        "registration_number": "246813",
        "reference": "PHOV3W8J5R1",
        "employer": "Harbourside Dental Care",
        "region": "north-west",
    },
]
NOTES = {
    "needs_other": "Trouble with the locum agency in Barchester",
    "people_known": "Dr Prunella Whitlock-Hargreaves",
    "best_times": "Weekday evenings after surgery closes",
    "session_note": "Spoke about the inquest and the family",
    "discharge_note": "Moved to a practice near Pemberley",
    "call_note": "Caller upset about the tribunal hearing",
    "triage_note": "Drinking most nights since the complaint",
}
CLINICIAN_NAME = "Dr Leopold Fanshawe-Bright"


@pytest.fixture
def known_people(recorder: User) -> list[str]:
    """A service whose referrals, staff and notes carry the strings above; returns every one."""
    handler = UserFactory(role=Role.HANDLER, full_name="Hermione Callhandler-Smythe")
    clinician = f.clinician(full_name=CLINICIAN_NAME)
    secrets = [CLINICIAN_NAME, handler.full_name, *NOTES.values()]
    for person in PEOPLE:
        practitioner = UserFactory(role=Role.PRACTITIONER, full_name=person["name"], email=person["email"])
        referral = ReferralFactory(
            user=practitioner,
            reference=person["reference"],
            name=person["name"],
            preferred_name=person["preferred_name"],
            email=person["email"],
            mobile=person["mobile"],
            registration_number=person["registration_number"],
            register="GMC" if len(person["registration_number"]) == 7 else "GDC",
            profession="doctor" if len(person["registration_number"]) == 7 else "dentist",
            career_stage="consultant" if len(person["registration_number"]) == 7 else "general-dental",
            employer=person["employer"],
            work_region=person["region"],
            needs_other=NOTES["needs_other"],
            people_known=NOTES["people_known"],
            best_times=NOTES["best_times"],
            needs=["other", "alcohol"],
            submitted_at=at(2025, 6, 3),
            first_contact_at=at(2025, 6, 4),
        )
        care = f.episode(
            referral,
            started=at(2025, 6, 5),
            ended=at(2025, 7, 20),
            with_clinician=clinician,
            discharge_note=NOTES["discharge_note"],
        )
        for week in range(3):
            appointment = f.appointment(care, at(2025, 6, 6 + 7 * week))
        f.appointment(care, at(2025, 6, 27), status=AppointmentStatus.DID_NOT_ATTEND)
        f.scores(care, at(2025, 6, 6), phq9=19, gad7=14, by=recorder)
        f.scores(care, at(2025, 7, 18), phq9=6, gad7=5, by=recorder)
        SessionNote.objects.create(
            episode=care, appointment=appointment, author=clinician.user, body=NOTES["session_note"]
        )
        f.callback(
            [(at(2025, 6, 4, 9), NO_ANSWER), (at(2025, 6, 4, 10), ANSWERED)], referral=referral, phone=person["mobile"]
        )
        CallLog.objects.create(
            direction=Direction.INBOUND,
            referral=referral,
            handler=handler,
            notes=NOTES["call_note"],
            caller_number=person["mobile"],
        )
        TriageAssessment.objects.create(
            referral=referral,
            assessed_by=handler,
            risk_level=RiskLevel.LOW,
            urgency=Urgency.ROUTINE,
            pathway=Pathway.THERAPY,
            notes=NOTES["triage_note"],
        )
        national_mobile = "0" + person["mobile"][3:]
        secrets += [value for key, value in person.items() if key != "region"]
        secrets += [national_mobile, f"{national_mobile[:5]} {national_mobile[5:]}", practitioner.email]
    refresh(date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1))
    return secrets


def _assert_nothing_personal(content: str, secrets: list[str], where: str) -> None:
    lowered = content.lower()
    found = [secret for secret in secrets if secret.lower() in lowered]
    assert not found, f"{where} shows personal data: {found}"


FILTERS = [
    {},
    {"period": "month-2025-06"},
    {"period": "month-2025-07"},
    {"period": "quarter-2025-q1"},
    {"period": "custom", "start": "2025-06", "end": "2025-08"},
    {"period": "month-2025-06", "region": "london"},
    {"period": "month-2025-06", "region": "north-west", "profession": "dentist", "career_stage": "general-dental"},
    {"period": "month-2025-06", "region": "not-known"},
    {"period": "not-a-period", "region": "Zebedee Quartermaine"},
]


@pytest.mark.parametrize("role", ["commissioner", "service_admin"])
def test_no_reporting_page_or_csv_shows_personal_data(
    role: str, known_people: list[str], commissioner: User, admin_user: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(commissioner if role == "commissioner" else admin_user)
    for params in FILTERS:
        page = client.get("/reporting/", params)
        assert page.status_code == 200
        # Even a name typed into the address as a filter is not echoed back.
        _assert_nothing_personal(page.content.decode(), known_people, f"/reporting/ {params}")
        export = client.get("/reporting/export.csv", params)
        _assert_nothing_personal(export.content.decode(), known_people, f"CSV {params}")
    if role == "service_admin":
        response = client.post("/reporting/refresh", {"period": "month-2025-06"}, follow=True)
        _assert_nothing_personal(response.content.decode(), known_people, "after a refresh")


def test_the_csv_of_a_service_full_of_people_still_has_figures(
    known_people: list[str], commissioner: User, client_for: Callable[[User], Client]
) -> None:
    # Guard against a vacuous pass: the figures for these people are there, as counts (2 and 6,
    # so hidden, but not 0).
    csv_text = client_for(commissioner).get("/reporting/export.csv", {"period": "month-2025-06"}).content.decode()

    assert "Referrals received and their eligibility,Referrals received,Number,*,count" in csv_text
    assert "Appointments,Appointments attended,Number,*,count" in csv_text


def test_fact_tables_hold_counts_only(known_people: list[str]) -> None:
    for model in (*FACT_MODELS, FactsRefresh):
        for field in model._meta.concrete_fields:
            # No link to any row of another table: nothing to join back to a person.
            assert not isinstance(field, models.ForeignKey), f"{model.__name__}.{field.name}"
        for row in model.objects.values():
            _assert_nothing_personal(str(row), known_people, model.__name__)
