"""Weekly patterns become bookable slots ahead; leave closes them; one-off times can be added."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinicians.models import AvailabilityPattern, Leave, Slot, SlotStatus, Weekday
from clinicians.services import (
    AvailabilityError,
    leave_add,
    leave_remove,
    pattern_add,
    pattern_end,
    slot_add,
    slots_generate,
)
from clinicians.tasks import generate_slots

from .factories import SlotFactory, booked, episode_for, in_days

pytestmark = pytest.mark.django_db


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def tuesdays_at_ten(clinician, site=None) -> AvailabilityPattern:  # type: ignore[no-untyped-def]
    return AvailabilityPattern.objects.create(
        clinician=clinician,
        weekday=Weekday.TUESDAY,
        start_time=datetime.time(10, 0),
        length_minutes=50,
        site=site,
        valid_from=datetime.date(2026, 1, 1),
    )


@time_machine.travel(local(2026, 3, 2, 8), tick=False)  # a Monday
def test_a_weekly_pattern_makes_one_slot_a_week_for_the_configured_weeks(clinician_profile, site) -> None:
    tuesdays_at_ten(clinician_profile, site)

    created = slots_generate(clinician_id=clinician_profile.pk, weeks=4)

    starts = [timezone.localtime(s.start) for s in Slot.objects.filter(clinician=clinician_profile)]
    assert created == 4  # four weeks on from Monday 2 March: the 3rd, 10th, 17th and 24th
    assert [s.day for s in starts] == [3, 10, 17, 24]
    assert all((s.hour, s.minute) == (10, 0) for s in starts)
    assert all(slot.site_id == site.pk for slot in Slot.objects.all())


@time_machine.travel(local(2026, 3, 2, 8), tick=False)
def test_generating_again_changes_nothing(clinician_profile, settings) -> None:
    settings.SLOT_GENERATION_WEEKS = 4
    tuesdays_at_ten(clinician_profile)
    slots_generate(clinician_id=clinician_profile.pk, weeks=4)

    assert slots_generate(clinician_id=clinician_profile.pk, weeks=4) == 0
    assert generate_slots.apply().get() == 0
    assert Slot.objects.count() == 4


@time_machine.travel(local(2026, 3, 16, 8), tick=False)
def test_slots_stay_at_ten_oclock_local_time_across_the_clock_change(clinician_profile) -> None:
    tuesdays_at_ten(clinician_profile)
    slots_generate(clinician_id=clinician_profile.pk, weeks=3)  # the clocks go forward on 29 March 2026

    slots = list(Slot.objects.order_by("start"))
    assert [timezone.localtime(s.start).hour for s in slots] == [10, 10, 10]
    assert slots[-1].start - slots[-2].start == timedelta(days=7, hours=-1)


@time_machine.travel(local(2026, 3, 2, 8), tick=False)
def test_no_slots_are_made_in_leave_or_over_an_existing_time(clinician_profile) -> None:
    tuesdays_at_ten(clinician_profile)
    Leave.objects.create(clinician=clinician_profile, starts_at=local(2026, 3, 9), ends_at=local(2026, 3, 14))
    SlotFactory(clinician=clinician_profile, start=local(2026, 3, 17, 9, 30))  # overlaps 10:00-10:50

    slots_generate(clinician_id=clinician_profile.pk, weeks=4)

    days = sorted(timezone.localtime(s.start).day for s in Slot.objects.filter(pattern__isnull=False))
    assert days == [3, 24]


@time_machine.travel(local(2026, 3, 3, 12), tick=False)  # Tuesday, after 10am
def test_times_already_past_are_not_offered(clinician_profile) -> None:
    tuesdays_at_ten(clinician_profile)
    slots_generate(clinician_id=clinician_profile.pk, weeks=1)

    assert [timezone.localtime(s.start).day for s in Slot.objects.all()] == [10]


def test_adding_a_pattern_refuses_a_site_the_clinician_does_not_work_at(clinician_profile) -> None:
    from .factories import SiteFactory

    elsewhere = SiteFactory()
    with pytest.raises(AvailabilityError, match="sites you work at"):
        pattern_add(
            clinician_id=clinician_profile.pk,
            weekday=Weekday.MONDAY,
            start_time=datetime.time(9),
            length_minutes=50,
            site_id=elsewhere.pk,
            weeks=2,
        )


def test_stopping_a_pattern_removes_its_open_slots_but_keeps_booked_ones(clinician_profile, practitioner) -> None:
    pattern, created = pattern_add(
        clinician_id=clinician_profile.pk,
        weekday=(timezone.localdate().weekday() + 2) % 7,
        start_time=datetime.time(11),
        length_minutes=50,
        site_id=None,
        weeks=3,
    )
    assert created == 3
    slot = Slot.objects.filter(pattern=pattern).first()
    Slot.objects.filter(pk=slot.pk).update(status=SlotStatus.BOOKED)

    removed = pattern_end(pattern_id=pattern.pk)

    assert removed == created - 1
    assert list(Slot.objects.values_list("pk", flat=True)) == [slot.pk]
    pattern.refresh_from_db()
    assert not pattern.active


def test_leave_closes_open_slots_and_removing_it_reopens_them(clinician_profile, clinician) -> None:
    episode = episode_for(None, clinician)
    open_slot = SlotFactory(clinician=clinician_profile, start=in_days(10, 9))
    appointment = booked(episode, start=in_days(10, 14))

    leave, booked_inside = leave_add(
        clinician_id=clinician_profile.pk, starts_at=in_days(10, 0), ends_at=in_days(11, 0), by=clinician
    )

    open_slot.refresh_from_db()
    assert booked_inside == 1
    assert open_slot.status == SlotStatus.BLOCKED
    assert Slot.objects.get(pk=appointment.slot_id).status == SlotStatus.BOOKED

    assert leave_remove(leave_id=leave.pk, clinician_id=clinician_profile.pk) == 1
    open_slot.refresh_from_db()
    assert open_slot.status == SlotStatus.OPEN


def test_an_extra_time_cannot_overlap_another_or_be_in_the_past(clinician_profile) -> None:
    SlotFactory(clinician=clinician_profile, start=in_days(4, 10))

    with pytest.raises(AvailabilityError, match="overlaps"):
        slot_add(clinician_id=clinician_profile.pk, start=in_days(4, 10, 30), length_minutes=50, site_id=None)
    with pytest.raises(AvailabilityError, match="future"):
        slot_add(clinician_id=clinician_profile.pk, start=in_days(-1, 10), length_minutes=50, site_id=None)
    added = slot_add(clinician_id=clinician_profile.pk, start=in_days(4, 11), length_minutes=50, site_id=None)
    assert added.status == SlotStatus.OPEN and added.pattern is None


def test_a_clinician_adds_a_weekly_time_from_their_availability_page(client_for, clinician_profile, site) -> None:
    client = client_for(clinician_profile.user)

    response = client.post(
        reverse("clinicians:availability_pattern_add"),
        {
            "pattern-weekday": "2",
            "pattern-start_time": "14:00",
            "pattern-length_minutes": "50",
            "pattern-place": site.pk,
        },
    )

    assert response.status_code == 302
    page = client.get(reverse("clinicians:availability")).content.decode()
    assert "Wednesdays" in page and "14:00, 50 minutes" in page
    assert Slot.objects.filter(clinician=clinician_profile, site=site).count() >= 8


def test_a_weekly_time_with_mistakes_shows_what_to_fix_and_keeps_what_was_typed(client_for, clinician_profile) -> None:
    response = client_for(clinician_profile.user).post(
        reverse("clinicians:availability_pattern_add"),
        {
            "pattern-weekday": "2",
            "pattern-start_time": "25:99",
            "pattern-length_minutes": "5",
            "pattern-place": "video",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#id_pattern-start_time"' in page
    assert "Enter a time, like 14:30" in page
    assert "Appointments must be at least 10 minutes long" in page
    assert 'value="25:99"' in page


def test_leave_from_the_page_blocks_bookings_for_those_days(client_for, clinician_profile) -> None:
    slot = SlotFactory(clinician=clinician_profile, start=in_days(12, 10))
    day = timezone.localdate() + timedelta(days=12)

    response = client_for(clinician_profile.user).post(
        reverse("clinicians:availability_leave_add"),
        {"leave-first_day": day.isoformat(), "leave-last_day": day.isoformat()},
    )

    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.status == SlotStatus.BLOCKED


def test_leave_ending_before_it_starts_is_refused(client_for, clinician_profile) -> None:
    day = timezone.localdate() + timedelta(days=12)
    response = client_for(clinician_profile.user).post(
        reverse("clinicians:availability_leave_add"),
        {"leave-first_day": day.isoformat(), "leave-last_day": (day - timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 400
    assert "The last day must be the same as or after the first day" in response.content.decode()
    assert not Leave.objects.exists()


@time_machine.travel(local(2026, 12, 1, 9), tick=False)
def test_leave_dates_are_inclusive_as_entered(client_for, clinician_profile, practitioner) -> None:
    """ "9 to 9 December" is one day: the 9th is blocked, the 8th and 10th are not, and the
    availability page and the diary both say the 9th only."""
    before = SlotFactory(clinician=clinician_profile, start=local(2026, 12, 8, 16))
    late_on_the_day = SlotFactory(clinician=clinician_profile, start=local(2026, 12, 9, 17))
    after = SlotFactory(clinician=clinician_profile, start=local(2026, 12, 10, 9))
    inside = booked(episode_for(practitioner, clinician_profile.user), start=local(2026, 12, 9, 11))
    client = client_for(clinician_profile.user)

    response = client.post(
        reverse("clinicians:availability_leave_add"),
        {"leave-first_day": "2026-12-09", "leave-last_day": "2026-12-09"},
    )
    availability = client.get(reverse("clinicians:availability")).content.decode()
    diary = client.get(reverse("clinicians:diary") + "?week=2026-12-07").content.decode()

    assert response.status_code == 302
    statuses = {slot.pk: slot.status for slot in Slot.objects.all()}
    assert statuses[late_on_the_day.pk] == SlotStatus.BLOCKED
    assert (statuses[before.pk], statuses[after.pk]) == (SlotStatus.OPEN, SlotStatus.OPEN)
    (leave,) = Leave.objects.all()
    assert (leave.first_day, leave.last_day) == (datetime.date(2026, 12, 9), datetime.date(2026, 12, 9))
    assert "Wednesday 9 December 2026 (one day)" in availability
    assert "Wednesday 9 December 2026 to" not in availability
    assert diary.count("On leave") == 1
    assert 'Wednesday 9 December 2026 <strong class="nhsuk-tag nhsuk-tag--grey">On leave</strong>' in diary
    assert "During your leave" in diary
    assert reverse("clinicians:appointment", args=[inside.pk]) in diary


@time_machine.travel(local(2026, 12, 1, 9), tick=False)
def test_leave_over_several_days_shows_its_first_and_last_day(client_for, clinician_profile) -> None:
    client = client_for(clinician_profile.user)

    client.post(
        reverse("clinicians:availability_leave_add"),
        {"leave-first_day": "2026-12-09", "leave-last_day": "2026-12-11"},
    )
    availability = client.get(reverse("clinicians:availability")).content.decode()
    diary = client.get(reverse("clinicians:diary") + "?week=2026-12-07").content.decode()

    assert "Wednesday 9 December 2026 to Friday 11 December 2026" in availability
    assert "12 December" not in availability
    assert diary.count("On leave") == 3
