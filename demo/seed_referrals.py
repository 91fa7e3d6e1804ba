"""Demo referrals and register extracts for `make run`. Idempotent: safe to run on every start.

Loads the sample GMC and GDC extracts (so numbers typed into the demo form are found), then
adds a few referrals with fixed references: one for the demo practitioner, one urgent, one
waiting for a handler's review, one for a suspended dentist (still eligible) and one the
helpline closed because it could not reach them. No
messages are sent: these are records, not submissions.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from practitioner_health.accounts.models import Role, User
from practitioner_health.crypto import phone_index
from referrals.eligibility import assess, register_entry_find, registration_index
from referrals.models import (
    EligibilityDecision,
    Referral,
    ReferralNeed,
    Register,
    RegisterEntry,
    RegisterStatus,
    Status,
)
from referrals.register_import import register_import

SAMPLES = Path(__file__).resolve().parent.parent / "referrals" / "samples"

DEMO_REFERRALS: tuple[dict[str, Any], ...] = (
    {
        "reference": "PH-DEM2-PRAC",
        "for_demo_practitioner": True,
        "profession": "doctor",
        "registration_number": "7100100",
        "name": "Dr Alex Demo",
        "career_stage": "gp",
        "work_region": "north-west",
        "seen_where": "away",
        "needs": ("stress", "low-mood"),
        # Long enough ago for the demo's triage, care episode and past assessment to follow it.
        "days_ago": 30,
    },
    {
        "reference": "PH-DEM2-URGT",
        "profession": "doctor",
        "registration_number": "7100002",
        "name": "Dr Siobhan O'Brien",
        "career_stage": "consultant",
        "work_region": "london",
        "seen_where": "video",
        "needs": ("low-mood", "alcohol"),
        "self_harm_thoughts": True,
        "days_ago": 0,
    },
    {
        "reference": "PH-DEM2-REVW",
        "profession": "doctor",
        "registration_number": "7100003",
        "name": "Dr Tom Smyth",  # the register says Smith-Jones: a handler checks
        "career_stage": "specialty-trainee",
        "work_region": "midlands",
        "seen_where": "region",
        "seen_region": "east-of-england",
        "needs": ("anxiety",),
        "days_ago": 2,
    },
    {
        "reference": "PH-DEM2-DENT",
        "profession": "dentist",
        "registration_number": "55555",
        "name": "Callum Fraser",  # suspended on the GDC extract, and still eligible
        "career_stage": "general-dental",
        "work_region": "south-west",
        "work_location": "returning",
        "seen_where": "away",
        "needs": ("gambling", "relationships"),
        "days_ago": 3,
    },
    {
        "reference": "PH-DEM2-NORE",
        "profession": "doctor",
        "registration_number": "7100007",
        "name": "Dr Anjali Patel",  # three unanswered callbacks: the helpline closed it
        "career_stage": "gp",
        "work_region": "south-east",
        "seen_where": "away",
        "needs": ("stress",),
        "days_ago": 9,
        "closed": ("not_reached", 2),
    },
)


def _register_load() -> None:
    for register, file in ((Register.GMC, "gmc_sample.csv"), (Register.GDC, "gdc_sample.csv")):
        with (SAMPLES / file).open(encoding="utf-8-sig", newline="") as source:
            register_import(register=register, source=source)
    # The demo practitioner's own entry, so their referral comes out eligible.
    index = registration_index(Register.GMC, "7100100")
    RegisterEntry.objects.get_or_create(
        register=Register.GMC,
        number_index=index,
        defaults={
            "number": "7100100",
            "surname": "Demo",
            "given_names": "Alex",
            "status": RegisterStatus.REGISTERED,
            "status_text": "Registered with Licence",
            "row_hash": "demo",
        },
    )


def _referral_create(position: int, spec: dict[str, Any], user: User | None) -> None:
    profession = spec["profession"]
    register = Register.GMC if profession == "doctor" else Register.GDC
    number = spec["registration_number"]
    work_location = spec.get("work_location", "england")
    decision = assess(
        self_referral=True,
        profession=profession,
        work_location=work_location,
        name=spec["name"],
        register=register,
        registration_number=number,
        entry=register_entry_find(register, number),
    )
    slug = spec["reference"][-4:].lower()
    mobile = f"+4477009001{position:02d}"  # Ofcom's drama range: never a real phone
    submitted = timezone.now() - datetime.timedelta(days=spec["days_ago"], hours=2)
    closed_reason, closed_days_ago = spec.get("closed", ("", None))
    referral = Referral.objects.create(
        reference=spec["reference"],
        user=user,
        # The demo practitioner stands for someone who followed the link sent to their email.
        linked_at=submitted if user is not None else None,
        submitted_at=submitted,
        urgent=spec.get("self_harm_thoughts", False),
        profession=profession,
        register=register,
        registration_number=number,
        registration_index=registration_index(register, number),
        work_location=work_location,
        career_stage=spec["career_stage"],
        work_region=spec["work_region"],
        seen_where=spec["seen_where"],
        seen_region=spec.get("seen_region", ""),
        self_harm_thoughts=spec.get("self_harm_thoughts", False),
        name=spec["name"],
        date_of_birth=datetime.date(1984, 3, 15),
        email=user.email if user is not None else f"{slug}@demo.ph.test",
        mobile=mobile,
        mobile_index=phone_index(mobile),
        voicemail_ok=False,
        texts_ok=True,
        best_times="Weekdays after 6pm",
        heard_about="colleague",
        eligibility=decision.outcome,
        status=Status.CLOSED if closed_reason else Status.NEW,
        closed_reason=closed_reason,
        closed_at=timezone.now() - datetime.timedelta(days=closed_days_ago) if closed_reason else None,
    )
    ReferralNeed.objects.bulk_create([ReferralNeed(referral=referral, need=need) for need in spec["needs"]])
    EligibilityDecision.objects.create(
        referral=referral,
        decision=decision.outcome,
        reasons=decision.reasons_json,
        register_snapshot=decision.snapshot_json,
        decided_at=submitted,
    )


def seed(users: Mapping[Any, User]) -> None:
    """Create whatever demo register entries and referrals are not there yet."""
    practitioner = users.get(Role.PRACTITIONER)
    with transaction.atomic():
        _register_load()
        for position, spec in enumerate(DEMO_REFERRALS):
            register = Register.GMC if spec["profession"] == "doctor" else Register.GDC
            index = registration_index(register, spec["registration_number"])
            if (
                Referral.objects.filter(reference=spec["reference"]).exists()
                or Referral.objects.open().with_registration(index).exists()
            ):
                continue
            _referral_create(position, spec, practitioner if spec.get("for_demo_practitioner") else None)
