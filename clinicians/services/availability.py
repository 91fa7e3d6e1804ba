"""Availability: weekly patterns, one-off slots, leave, and generating slots ahead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from practitioner_health.accounts.models import User

from ..models import AvailabilityPattern, Clinician, Leave, Slot, SlotStatus


class AvailabilityError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _overlaps(start: datetime, end: datetime, busy: list[tuple[datetime, datetime]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in busy)


def _check_site(clinician: Clinician, site_id: int | None) -> None:
    if site_id is not None and not clinician.sites.filter(pk=site_id).exists():
        raise AvailabilityError("Choose one of the sites you work at.")
    if site_id is None and not clinician.video:
        raise AvailabilityError("You are not set up to see people by video: choose a site.")


def slots_generate(*, clinician_id: int, weeks: int, today: date | None = None) -> int:
    """Create open slots from the clinician's active weekly patterns for `weeks` weeks ahead.

    Idempotent: a time that already has a slot, overlaps another slot, falls in leave or
    has passed is skipped, so running it daily (the beat job) or twice changes nothing.
    Returns how many slots were created.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(weeks=weeks)
    patterns = list(AvailabilityPattern.objects.active().filter(clinician_id=clinician_id))
    if not patterns:
        return 0
    window_start = timezone.make_aware(datetime.combine(today, time.min))
    window_end = timezone.make_aware(datetime.combine(horizon + timedelta(days=1), time.min))
    busy = list(
        Slot.objects.filter(clinician_id=clinician_id).between(window_start, window_end).values_list("start", "end")
    )
    leave = list(
        Leave.objects.filter(clinician_id=clinician_id, starts_at__lt=window_end, ends_at__gt=window_start).values_list(
            "starts_at", "ends_at"
        )
    )
    now = timezone.now()
    new_slots = []
    day = today
    while day <= horizon:
        for pattern in patterns:
            if not pattern.applies_on(day):
                continue
            start = pattern.start_on(day)
            end = start + timedelta(minutes=pattern.length_minutes)
            if start <= now or _overlaps(start, end, busy) or _overlaps(start, end, leave):
                continue
            busy.append((start, end))
            new_slots.append(
                Slot(clinician_id=clinician_id, start=start, end=end, site_id=pattern.site_id, pattern=pattern)
            )
        day += timedelta(days=1)
    # ignore_conflicts: a concurrent run that made the same slot wins; the unique
    # (clinician, start) constraint makes that harmless.
    before = Slot.objects.filter(clinician_id=clinician_id).count()
    Slot.objects.bulk_create(new_slots, ignore_conflicts=True)
    return Slot.objects.filter(clinician_id=clinician_id).count() - before


def pattern_add(
    *,
    clinician_id: int,
    weekday: int,
    start_time: time,
    length_minutes: int,
    site_id: int | None,
    weeks: int,
) -> tuple[AvailabilityPattern, int]:
    """Add a weekly pattern and generate its slots now. Returns (pattern, slots created)."""
    with transaction.atomic():
        clinician = Clinician.objects.get(pk=clinician_id)
        _check_site(clinician, site_id)
        pattern = AvailabilityPattern.objects.create(
            clinician=clinician,
            weekday=weekday,
            start_time=start_time,
            length_minutes=length_minutes,
            site_id=site_id,
        )
        created = slots_generate(clinician_id=clinician_id, weeks=weeks)
        return pattern, created


def pattern_end(*, pattern_id: int) -> int:
    """Stop a weekly pattern: its future open slots go; booked ones stay. Returns slots removed."""
    with transaction.atomic():
        pattern = AvailabilityPattern.objects.select_for_update().get(pk=pattern_id)
        pattern.active = False
        pattern.valid_until = timezone.localdate()
        pattern.save(update_fields=["active", "valid_until"])
        removable = Slot.objects.select_for_update().filter(
            pattern=pattern, status__in=[SlotStatus.OPEN, SlotStatus.BLOCKED], start__gt=timezone.now()
        )
        # Slots that once had a cancelled appointment are kept (the appointment points at them).
        removable = removable.filter(appointments__isnull=True)
        count, _ = removable.delete()
        return count


def slot_add(*, clinician_id: int, start: datetime, length_minutes: int, site_id: int | None) -> Slot:
    """Add one extra open slot. Refuses a time in the past, in leave, or overlapping another slot."""
    end = start + timedelta(minutes=length_minutes)
    if start <= timezone.now():
        raise AvailabilityError("Choose a time in the future.")
    with transaction.atomic():
        clinician = Clinician.objects.select_for_update().get(pk=clinician_id)
        _check_site(clinician, site_id)
        if Slot.objects.filter(clinician=clinician).between(start, end).exists():
            raise AvailabilityError("You already have an appointment time that overlaps this one.")
        if Leave.objects.filter(clinician=clinician, starts_at__lt=end, ends_at__gt=start).exists():
            raise AvailabilityError("This time is during your leave.")
        return Slot.objects.create(clinician=clinician, start=start, end=end, site_id=site_id)


def leave_add(*, clinician_id: int, starts_at: datetime, ends_at: datetime, by: User) -> tuple[Leave, int]:
    """Record leave: open slots inside it are closed (and reopened if the leave is removed).

    Booked appointments are left alone for the service to move; returns (leave, number of
    booked appointments inside it) so the page can say so.
    """
    if ends_at <= starts_at:
        raise AvailabilityError("The end of your leave must be after the start.")
    with transaction.atomic():
        leave = Leave.objects.create(clinician_id=clinician_id, starts_at=starts_at, ends_at=ends_at, created_by=by)
        inside = Slot.objects.select_for_update().filter(clinician_id=clinician_id).between(starts_at, ends_at)
        inside.filter(status=SlotStatus.OPEN).update(status=SlotStatus.BLOCKED, leave=leave)
        booked = inside.filter(status=SlotStatus.BOOKED).count()
        return leave, booked


def leave_remove(*, leave_id: int, clinician_id: int) -> int:
    """Remove leave and reopen the future slots it closed (unless other leave still covers them)."""
    with transaction.atomic():
        leave = Leave.objects.select_for_update().get(pk=leave_id, clinician_id=clinician_id)
        others = list(Leave.objects.filter(clinician_id=clinician_id).exclude(pk=leave.pk))
        reopened = 0
        for slot in Slot.objects.select_for_update().filter(leave=leave):
            covering = next((o for o in others if slot.start < o.ends_at and o.starts_at < slot.end), None)
            if covering is not None:
                slot.leave = covering
            else:
                slot.leave = None
                if slot.start > timezone.now():
                    slot.status = SlotStatus.OPEN
                    reopened += 1
            slot.save(update_fields=["status", "leave"])
        leave.delete()
        return reopened
