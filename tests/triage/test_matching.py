"""Matching: every rule, conflicts above all, the order, ties and no candidates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practitioner_health.accounts.models import Role
from referrals.models import SeenWhere
from tests.clinicians.factories import ClinicianFactory, EpisodeFactory, SlotFactory, in_days, region, service
from tests.factories import ReferralFactory, UserFactory
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
    slot_at=None,
    caseload=0,
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
    if slot_at is not None:
        SlotFactory(clinician=person, start=slot_at)
    EpisodeFactory.create_batch(caseload, clinician=person)
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
    # The service and the region looked up, open slots, caseloads, then names and workplaces.
    with django_assert_max_num_queries(5):
        ranking = rank(referral, assessment, limit=20)
    assert len(ranking.candidates) == 20


def count_queries(referral, assessment, **kwargs):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        ranking = rank(referral, assessment, **kwargs)
    return ranking, len(queries)


def test_rank_runs_the_same_queries_among_50_clinicians_as_among_5(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    clinician("Dr Robin Marsh", slot_at=in_days(1, 9))
    clinician("Dr Full Up", max_caseload=1, caseload=1, slot_at=in_days(1, 9))
    clinician("Dr Ann Bell", caseload=1, slot_at=in_days(2, 9))
    clinician("Dr Cy Cole", slot_at=in_days(2, 9))
    clinician("Dr Eve Dale", slot_at=in_days(3, 9))
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london", people_known="Robin Marsh")
    assessment = assess(referral)

    with django_assert_max_num_queries(6):
        among_5, queries_5 = count_queries(referral, assessment, limit=3)
    for n in range(45):
        clinician(f"Dr Later {n}", caseload=n % 3, slot_at=in_days(4 + n // 5, 9), workplaces="Riverside Practice")
    with django_assert_max_num_queries(6):
        among_50, queries_50 = count_queries(referral, assessment, limit=3)

    assert queries_50 == queries_5
    assert names(among_5) == names(among_50) == ["Dr Cy Cole", "Dr Ann Bell", "Dr Eve Dale"]
    assert among_5.excluded_conflicts == among_50.excluded_conflicts == 1


def test_a_tie_on_time_bigger_than_one_read_is_ordered_by_caseload_then_longest_serving() -> None:
    clinician("Dr Full Up", max_caseload=1, caseload=1, slot_at=in_days(1, 9))
    for n in range(12):
        # The two with nothing on their caseload were added last, so are read last.
        clinician(f"Dr Tie {n}", caseload=0 if n >= 10 else 1, slot_at=in_days(2, 9))
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")

    ranking = rank(referral, assess(referral), limit=3)

    assert names(ranking) == ["Dr Tie 10", "Dr Tie 11", "Dr Tie 0"]
    assert ranking.candidates[0].reasons == [
        "offers assessment",
        "works in London, the region chosen",
        "caseload 0 of 10",
        f"earliest open time {in_days(2, 9):%A} {in_days(2, 9).day} {in_days(2, 9):%B} at 9am",
    ]


def test_the_earliest_open_time_is_given_in_uk_time_in_summer() -> None:
    with time_machine.travel(datetime(2027, 7, 5, 8, 0, tzinfo=UTC), tick=False):
        clinician("Dr Summer", slot_at=in_days(2, 9))  # 9am BST is 8am UTC
        referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")

        ranking = rank(referral, assess(referral))

    assert ranking.candidates[0].reasons[-1] == "earliest open time Wednesday 7 July at 9am"


def test_conflicts_are_skipped_however_many_and_counted_until_the_list_is_full() -> None:
    for n in range(5):
        clinician(f"Dr Known{n} Marsh", slot_at=in_days(1, 9 + n))
    clinician("Dr Sam Okafor", slot_at=in_days(2, 9))
    clinician("Dr Ann Bell", slot_at=in_days(3, 9))
    clinician("Dr Late Marsh", slot_at=in_days(4, 9))  # after the list is full: not looked at
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london", people_known="Marsh")

    ranking = rank(referral, assess(referral), limit=2)

    assert names(ranking) == ["Dr Sam Okafor", "Dr Ann Bell"]
    assert ranking.excluded_conflicts == 5


def test_clinicians_with_no_open_time_follow_by_caseload_past_any_number_of_conflicts() -> None:
    clinician("Dr Has Slot", caseload=3, slot_at=in_days(5, 9))
    clinician("Dr High", caseload=2)
    for n in range(12):
        clinician(f"Dr Known{n} Marsh")
    clinician("Dr Low", caseload=1)
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london", people_known="Marsh")

    ranking = rank(referral, assess(referral), limit=3)

    assert names(ranking) == ["Dr Has Slot", "Dr Low", "Dr High"]
    assert ranking.excluded_conflicts == 12
    assert ranking.candidates[1].reasons[-2:] == ["caseload 1 of 10", "no open times yet"]


def test_the_match_page_shows_names_and_reasons_in_the_same_queries_for_3_clinicians_as_for_15(
    client_for, handler
) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london", status="triaged")
    assess(referral)
    browser = client_for(handler)

    def page() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(f"/helpline/referral/{referral.pk}/match/")
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    for n in range(3):
        clinician(f"Dr Few {n}", slot_at=in_days(1 + n, 9))
    page()  # the first request also reads what is cached afterwards
    few, queries_few = page()
    for n in range(12):
        clinician(f"Dr Many {n}", slot_at=in_days(5 + n, 9))
    many, queries_many = page()

    assert queries_many == queries_few
    assert "1. Dr Few 0, CBT therapist" in few and "15. Dr Many 11, CBT therapist" in many
    assert "caseload 0 of 10; earliest open time" in many


def test_the_match_page_says_how_many_earlier_clinicians_a_conflict_left_out(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(
        seen_where=SeenWhere.REGION, seen_region="london", status="triaged", people_known="Marsh"
    )
    assess(referral)
    clinician("Dr Known Marsh", slot_at=in_days(1, 9))
    clinician("Dr Also Marsh", slot_at=in_days(1, 10))
    clinician("Dr Sam Okafor", slot_at=in_days(2, 9))

    page = client_for(handler).get(f"/helpline/referral/{referral.pk}/match/").content.decode()

    assert "2 clinicians who would have come earlier in this list were left out because of a conflict" in page
    assert "Marsh" not in page.split("were left out")[1].split("</main>")[0]


def test_the_match_page_and_triage_history_name_the_services_needed(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london", status="triaged")
    assess(referral, needs=("assessment", "cbt", "brief-psychotherapy"))
    clinician("Dr Sam Okafor", slot_at=in_days(2, 9), services=("assessment", "cbt", "brief-psychotherapy"))
    browser = client_for(handler)

    match = browser.get(f"/helpline/referral/{referral.pk}/match/").content.decode()
    record = browser.get(f"/helpline/referral/{referral.pk}/").content.decode()

    assert "Needs: assessment, CBT, brief psychotherapy." in match
    assert "offers assessment, CBT, brief psychotherapy;" in match
    assert "brief-psychotherapy" not in match
    assert "needs assessment, CBT, brief psychotherapy." in record
