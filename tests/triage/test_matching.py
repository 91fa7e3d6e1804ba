"""Matching: every rule, conflicts above all, the order, ties and no candidates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practitioner_health.accounts.models import Role
from referrals.models import SeenWhere
from tests.clinicians.factories import ClinicianFactory, EpisodeFactory, SlotFactory, region, service
from tests.factories import UserFactory
from tests.triage.factories import ReferralFactory
from triage.matching import rank
from triage.models import TriageAssessment

pytestmark = pytest.mark.django_db


def clinician(
    name: str,
    *,
    regions=("london",),
    services=("assessment", "cbt"),
    video=True,
    max_caseload=10,
    workplaces="",
    slot_in_days=None,
):  # type: ignore[no-untyped-def]
    person = ClinicianFactory(
        user=UserFactory(role=Role.CLINICIAN, full_name=name),
        video=video,
        max_caseload=max_caseload,
        workplaces=workplaces,
    )
    person.regions.set([region(code) for code in regions])
    person.services.set([service(code) for code in services])
    if slot_in_days is not None:
        SlotFactory(clinician=person, start=timezone.now() + timedelta(days=slot_in_days))
    return person


def assess(referral, needs=("assessment",)):  # type: ignore[no-untyped-def]
    return TriageAssessment.objects.create(
        referral=referral,
        assessed_by=UserFactory(role=Role.HANDLER),
        risk_level="low",
        needs=list(needs),
        urgency="routine",
        pathway="therapy",
    )


def names(ranking) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.clinician.user.full_name for c in ranking.candidates]


def test_someone_on_the_people_i_know_list_is_never_offered_even_with_the_earliest_slot() -> None:
    clinician("Dr Robin Marsh", slot_in_days=1)
    clinician("Dr Sam Okafor", slot_in_days=5)
    referral = ReferralFactory(
        seen_where=SeenWhere.REGION, seen_region="london", people_known="Robin Marsh (we trained together)"
    )
    ranking = rank(referral, assess(referral))
    assert names(ranking) == ["Dr Sam Okafor"]
    assert ranking.excluded_conflicts == 1


def test_a_clinician_at_the_practitioners_employer_is_never_offered() -> None:
    clinician("Dr Kim Lee", workplaces="St Elsewhere NHS Foundation Trust", slot_in_days=1)
    clinician("Dr Ann Bell", workplaces="Riverside Practice", slot_in_days=2)
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london", employer="St Elsewhere")
    assert names(rank(referral, assess(referral))) == ["Dr Ann Bell"]


def test_only_clinicians_offering_every_needed_service() -> None:
    clinician("Dr No Addiction", services=("assessment", "cbt"), slot_in_days=1)
    clinician("Dr Addiction", services=("assessment", "addiction"), slot_in_days=2)
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    assert names(rank(referral, assess(referral, needs=("assessment", "addiction")))) == ["Dr Addiction"]


def test_a_chosen_region_keeps_clinicians_who_work_there() -> None:
    clinician("Dr London", regions=("london",), slot_in_days=1)
    clinician("Dr Midlands", regions=("midlands",), slot_in_days=1)
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="midlands")
    ranking = rank(referral, assess(referral))
    assert names(ranking) == ["Dr Midlands"]
    assert any("Midlands" in reason for reason in ranking.candidates[0].reasons)


def test_video_only_offers_anyone_who_sees_people_by_video() -> None:
    clinician("Dr Video North", regions=("north-west",), video=True, slot_in_days=2)
    clinician("Dr Rooms Only", regions=("london",), video=False, slot_in_days=1)
    referral = ReferralFactory(seen_where=SeenWhere.VIDEO)
    assert names(rank(referral, assess(referral))) == ["Dr Video North"]


def test_away_from_work_excludes_the_work_region() -> None:
    clinician("Dr Same Region", regions=("london",), slot_in_days=1)
    clinician("Dr Next Door", regions=("south-east",), slot_in_days=3)
    referral = ReferralFactory(seen_where=SeenWhere.AWAY, work_region="london")
    assert names(rank(referral, assess(referral))) == ["Dr Next Door"]


def test_a_clinician_at_maximum_caseload_is_left_out() -> None:
    full = clinician("Dr Full", max_caseload=1, slot_in_days=1)
    EpisodeFactory(clinician=full)
    clinician("Dr Room", max_caseload=1, slot_in_days=4)
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    assert names(rank(referral, assess(referral))) == ["Dr Room"]


def test_order_is_earliest_slot_first_and_no_slot_last() -> None:
    clinician("Dr No Slots")
    clinician("Dr Later", slot_in_days=6)
    clinician("Dr Earliest", slot_in_days=1)
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    assert names(rank(referral, assess(referral))) == ["Dr Earliest", "Dr Later", "Dr No Slots"]


def test_ties_on_slot_are_broken_by_caseload() -> None:
    start = timezone.now() + timedelta(days=2)
    busy = clinician("Dr Busy")
    quiet = clinician("Dr Quiet")
    SlotFactory(clinician=busy, start=start)
    SlotFactory(clinician=quiet, start=start)
    EpisodeFactory.create_batch(2, clinician=busy)
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    assert names(rank(referral, assess(referral))) == ["Dr Quiet", "Dr Busy"]


def test_no_candidates_gives_the_handler_a_clear_message() -> None:
    clinician("Dr Elsewhere", regions=("north-west",), video=False, slot_in_days=1)
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    ranking = rank(referral, assess(referral))
    assert ranking.candidates == []
    assert "No clinician meets every rule" in ranking.message


def test_matching_runs_a_fixed_number_of_queries(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for n in range(30):
        clinician(f"Dr Number {n}", slot_in_days=1 + n)
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    assessment = assess(referral)
    with django_assert_max_num_queries(8):
        ranking = rank(referral, assessment, limit=20)
    assert len(ranking.candidates) == 20
