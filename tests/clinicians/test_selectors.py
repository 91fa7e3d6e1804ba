"""The reads the triage app ranks clinicians with, and the outcome chart."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clinicians.charts import outcome_chart
from clinicians.models import SlotStatus
from clinicians.selectors import (
    OutcomeRow,
    caseloads,
    clinicians_without_open_slots,
    earliest_open_slot_batches,
    matching_clinicians,
    open_episode_for_referral,
    open_slots,
)
from clinicians.services import CareError, episode_start
from tests.factories import ReferralFactory

from .factories import (
    ClinicianFactory,
    EpisodeFactory,
    SiteFactory,
    SlotFactory,
    in_days,
    region,
    service,
)

pytestmark = pytest.mark.django_db


def test_open_slots_can_be_narrowed_to_video() -> None:
    two = ClinicianFactory()
    SlotFactory(clinician=two, start=in_days(6, 9), site=SiteFactory())
    SlotFactory(clinician=two, start=in_days(4, 9))

    assert [s.start for s in open_slots(clinician_id=two.pk, video=True)] == [in_days(4, 9)]
    assert [s.start for s in open_slots(clinician_id=two.pk)] == [in_days(4, 9), in_days(6, 9)]


def test_matching_clinicians_keeps_those_meeting_every_rule_once_each() -> None:
    both = ClinicianFactory()  # London; assessment and CBT
    both.regions.add(region("south-east"))
    cbt_only = ClinicianFactory()
    cbt_only.services.set([service("cbt")])
    rooms_only = ClinicianFactory(video=False)
    north = ClinicianFactory()
    north.regions.set([region("north-west")])
    nowhere = ClinicianFactory()
    nowhere.regions.clear()
    ClinicianFactory(active=False)

    def ids(**rules) -> set[int]:  # type: ignore[no-untyped-def]
        found = list(matching_clinicians(**rules).values_list("pk", flat=True))
        assert len(found) == len(set(found)), "no clinician twice"
        return set(found)

    everyone = {both.pk, cbt_only.pk, rooms_only.pk, north.pk, nowhere.pk}
    assert ids() == everyone
    assert ids(services=["assessment", "cbt"]) == everyone - {cbt_only.pk}
    assert ids(services=["cbt"], region="london") == {both.pk, cbt_only.pk, rooms_only.pk}
    assert ids(region="south-east") == {both.pk}
    # Away from London: anyone not working there, including someone with no region yet.
    assert ids(away_from="london") == {north.pk, nowhere.pk}
    assert ids(video=True) == everyone - {rooms_only.pk}
    assert ids(services=["addiction"]) == set()
    assert ids(services=["no-such-service"]) == set()
    assert ids(region="no-such-region") == set()
    assert ids(away_from="no-such-region") == everyone


def test_earliest_open_slots_come_in_start_order_with_every_tie_in_the_same_list(
    django_assert_num_queries,
) -> None:
    early, tied_a, tied_b, tied_c, late, booked_only = (ClinicianFactory() for _ in range(6))
    SlotFactory(clinician=early, start=in_days(1, 9))
    SlotFactory(clinician=early, start=in_days(3, 9))  # a later slot: not its earliest
    for person in (tied_c, tied_a, tied_b):
        SlotFactory(clinician=person, start=in_days(2, 9))
    SlotFactory(clinician=tied_a, start=in_days(1, 8), status=SlotStatus.BOOKED)
    SlotFactory(clinician=late, start=in_days(-1, 9))  # already past
    SlotFactory(clinician=late, start=in_days(5, 9))
    SlotFactory(clinician=booked_only, start=in_days(1, 9), status=SlotStatus.BLOCKED)
    clinicians = matching_clinicians()
    tied = sorted([tied_a.pk, tied_b.pk, tied_c.pk])

    # Read two slots at a time (then four, eight...): the three-way tie spans two reads.
    batches = list(earliest_open_slot_batches(clinicians, after=timezone.now(), batch=2))

    assert [place for batch in batches for place in batch] == [
        (early.pk, in_days(1, 9)),
        *[(pk, in_days(2, 9)) for pk in tied],
        (late.pk, in_days(5, 9)),
    ]
    # The tie started in the first read and ended in the second, and still came out together.
    assert [[pk for pk, _ in batch] for batch in batches] == [[early.pk], tied, [late.pk]]
    # Only what the caller asks for is read: the first list costs the first query (a list is
    # given out once a later start has been read, so nobody else can share its last start).
    with django_assert_num_queries(1):
        first = next(earliest_open_slot_batches(clinicians, after=timezone.now(), batch=2))
    assert first == [(early.pk, in_days(1, 9))]
    assert list(earliest_open_slot_batches(clinicians.filter(pk=booked_only.pk), after=timezone.now())) == []


def test_caseloads_and_clinicians_without_open_slots() -> None:
    free, busy, with_slot = ClinicianFactory(max_caseload=4), ClinicianFactory(max_caseload=2), ClinicianFactory()
    EpisodeFactory.create_batch(2, clinician=busy)
    ended = EpisodeFactory(clinician=free)
    ended.ended_at, ended.discharge_reason = timezone.now(), "completed"
    ended.save()
    SlotFactory(clinician=with_slot, start=in_days(3, 9))
    SlotFactory(clinician=free, start=in_days(-2, 9))  # past slots do not count
    SlotFactory(clinician=busy, start=in_days(3, 10), status=SlotStatus.BOOKED)

    assert caseloads(clinician_ids=[free.pk, busy.pk]) == {free.pk: (0, 4), busy.pk: (2, 2)}
    without = clinicians_without_open_slots(matching_clinicians(), after=timezone.now())
    assert [(c.pk, c.active_caseload) for c in without] == [(free.pk, 0), (busy.pk, 2)]


def test_starting_an_episode_assigns_the_referral_once(clinician) -> None:
    clinician_profile = ClinicianFactory()
    referral = ReferralFactory(in_care=True, status="triaged")

    episode = episode_start(referral_id=referral.pk, clinician_id=clinician_profile.pk, started_by=clinician)

    referral.refresh_from_db()
    assert referral.status == "assigned"
    assert open_episode_for_referral(referral.pk) == episode
    with pytest.raises(CareError, match="already with a clinician"):
        episode_start(referral_id=referral.pk, clinician_id=ClinicianFactory().pk, started_by=clinician)


def test_the_chart_is_an_accessible_svg_without_inline_styles() -> None:
    rows = [
        OutcomeRow(when=in_days(-21, 10), phq=18, phq_band="moderately severe", gad=12, gad_band="moderate"),
        OutcomeRow(when=in_days(-7, 10), phq=9, phq_band="mild"),
    ]

    svg = str(outcome_chart(rows))

    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="outcome-chart-title outcome-chart-desc"' in svg
    assert "PHQ-9: 2 scores, from 18 at first to 9 most recently. GAD-7: one score of 12." in svg
    assert "style=" not in svg and "<script" not in svg
    assert svg.count("<circle") == 2 + 1  # two PHQ-9 points and the legend marker
    assert str(outcome_chart([])) == ""
