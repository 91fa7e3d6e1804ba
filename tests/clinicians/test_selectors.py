"""The reads the triage app ranks clinicians with, and the outcome chart."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clinicians.charts import outcome_chart
from clinicians.models import SlotStatus
from clinicians.selectors import (
    OutcomeRow,
    active_caseload_counts,
    clinicians_for_matching,
    earliest_open_slots,
    open_episode_for_referral,
    open_slots,
)
from clinicians.services import CareError, episode_start

from .factories import (
    ClinicianFactory,
    EpisodeFactory,
    ReferralFactory,
    SiteFactory,
    SlotFactory,
    in_days,
    region,
    service,
)

pytestmark = pytest.mark.django_db


def test_matching_filters_by_service_region_and_video_and_reports_capacity_and_earliest_slot(
    django_assert_max_num_queries,
) -> None:
    near = ClinicianFactory(max_caseload=3)
    near.services.add(service("addiction"))
    busy = ClinicianFactory(max_caseload=2)
    busy.services.add(service("addiction"))
    no_video = ClinicianFactory(video=False)
    no_video.services.add(service("addiction"))
    elsewhere = ClinicianFactory()
    elsewhere.regions.set([region("north-west")])
    elsewhere.services.add(service("addiction"))
    inactive = ClinicianFactory(active=False)
    inactive.services.add(service("addiction"))
    EpisodeFactory(clinician=near)
    for _ in range(2):
        EpisodeFactory(clinician=busy)
    SlotFactory(clinician=near, start=in_days(9, 10))
    SlotFactory(clinician=busy, start=in_days(3, 10))
    SlotFactory(clinician=busy, start=in_days(2, 10), status=SlotStatus.BOOKED)

    with django_assert_max_num_queries(4):
        found = list(clinicians_for_matching(service="addiction", region="london", video=True))
        [c.regions.all() for c in found]  # prefetched: no query per clinician

    assert [c.pk for c in found] == [busy.pk, near.pk]  # earliest open slot first
    by_id = {c.pk: c for c in found}
    assert (by_id[busy.pk].active_caseload, by_id[busy.pk].spare_capacity) == (2, 0)
    assert (by_id[near.pk].active_caseload, by_id[near.pk].spare_capacity) == (1, 2)
    assert by_id[busy.pk].earliest_open_slot == in_days(3, 10)
    assert {c.pk for c in clinicians_for_matching(service="addiction")} == {
        near.pk,
        busy.pk,
        no_video.pk,
        elsewhere.pk,
    }


def test_caseload_counts_and_earliest_slots_come_back_keyed_by_clinician() -> None:
    one, two = ClinicianFactory(), ClinicianFactory()
    EpisodeFactory(clinician=one)
    ended = EpisodeFactory(clinician=one)
    ended.ended_at, ended.discharge_reason = timezone.now(), "completed"
    ended.save()
    site = SiteFactory()
    SlotFactory(clinician=two, start=in_days(6, 9), site=site)
    SlotFactory(clinician=two, start=in_days(4, 9))

    assert active_caseload_counts() == {one.pk: 1}
    assert earliest_open_slots() == {two.pk: in_days(4, 9)}
    assert earliest_open_slots(video=False, region_code="london") == {two.pk: in_days(6, 9)}
    assert earliest_open_slots(region_code="north-west") == {}
    assert [s.start for s in open_slots(clinician_id=two.pk, video=True)] == [in_days(4, 9)]


def test_starting_an_episode_assigns_the_referral_once(clinician) -> None:
    clinician_profile = ClinicianFactory()
    referral = ReferralFactory(status="triaged")

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
