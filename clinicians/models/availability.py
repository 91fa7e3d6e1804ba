"""When clinicians can see people: weekly patterns, leave, and the bookable slots made from them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .network import Clinician, Site


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class AvailabilityPatternQuerySet(models.QuerySet["AvailabilityPattern"]):
    def active(self) -> AvailabilityPatternQuerySet:
        return self.filter(active=True)


class AvailabilityPattern(models.Model):
    """A repeating weekly time ("Tuesdays 10am, 50 minutes, at a site or by video")."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="patterns")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    length_minutes = models.PositiveSmallIntegerField(default=50)
    # No site means the appointment is by video.
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(default=timezone.localdate)
    valid_until = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)

    objects = AvailabilityPatternQuerySet.as_manager()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                name="pattern_length_sensible", condition=models.Q(length_minutes__gte=10, length_minutes__lte=240)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M} ({self.length_minutes} min)"

    def applies_on(self, day: date) -> bool:
        return (
            self.active
            and day.weekday() == self.weekday
            and day >= self.valid_from
            and (self.valid_until is None or day <= self.valid_until)
        )

    def start_on(self, day: date) -> datetime:
        # Local wall-clock time, so "Tuesdays at 10am" stays 10am across the clock change.
        return timezone.make_aware(datetime.combine(day, self.start_time))

    @property
    def is_video(self) -> bool:
        return self.site_id is None


class Leave(models.Model):
    """A period a clinician is away: no slots are offered inside it."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="leave")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "leave"
        constraints = [
            models.CheckConstraint(
                name="leave_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"Leave {self.first_day:%Y-%m-%d} to {self.last_day:%Y-%m-%d}"

    @property
    def first_day(self) -> date:
        return timezone.localdate(self.starts_at)

    @property
    def last_day(self) -> date:
        """The last day away, as the clinician entered it: leave entered as "9 to 9 December"
        ends at midnight at the start of 10 December, and its last day is the 9th."""
        return timezone.localdate(self.ends_at - timedelta(microseconds=1))

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


class SlotStatus(models.TextChoices):
    OPEN = "open", "Open"
    BOOKED = "booked", "Booked"
    BLOCKED = "blocked", "Not available"


class SlotQuerySet(models.QuerySet["Slot"]):
    def open(self) -> SlotQuerySet:
        return self.filter(status=SlotStatus.OPEN, start__gt=timezone.now())

    def between(self, start: datetime, end: datetime) -> SlotQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Slot(models.Model):
    """One bookable time. Its status says whether it can be booked; the database makes sure
    no two live appointments ever hold it (see Appointment's constraint)."""

    clinician = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="slots")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # No site means the appointment is by video.
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    pattern = models.ForeignKey(
        AvailabilityPattern, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots"
    )
    # Set while leave is what keeps the slot closed, so removing the leave reopens it.
    leave = models.ForeignKey(Leave, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots")

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            # Generation is idempotent: a clinician has at most one slot starting at a time.
            models.UniqueConstraint(fields=["clinician", "start"], name="slot_clinician_start_unique"),
            models.CheckConstraint(name="slot_ends_after_start", condition=models.Q(end__gt=models.F("start"))),
        ]
        indexes = [
            # Booking pages and matching: a clinician's open slots from now, earliest first.
            models.Index(fields=["clinician", "status", "start"], name="slot_clinician_open_idx"),
            # Matching across clinicians: the earliest open slot of each.
            models.Index(fields=["status", "start"], name="slot_status_start_idx"),
            # Ranking clinicians by earliest open slot: open slots in (start, clinician) order,
            # read from the index alone and only as far as the ranking needs.
            models.Index(
                fields=["start", "clinician"], condition=models.Q(status=SlotStatus.OPEN), name="slot_open_start_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Slot #{self.pk} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    @property
    def is_video(self) -> bool:
        return self.site_id is None

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def local_start_time(self) -> time:
        return timezone.localtime(self.start).time()
