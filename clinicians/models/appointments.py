"""Appointments: a practitioner's booking of one slot, and the reminders sent for it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_model_fields.fields import EncryptedCharField, EncryptedTextField

from .availability import Slot
from .care import CareEpisode

# The video link is shown from shortly before the start until the end.
VIDEO_LINK_OPENS_BEFORE = timedelta(minutes=15)


class AppointmentKind(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    TREATMENT = "treatment", "Treatment"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did-not-attend", "Did not attend"
    CANCELLED_BY_PRACTITIONER = "cancelled-by-practitioner", "Cancelled by you"
    CANCELLED_BY_SERVICE = "cancelled-by-service", "Cancelled by the service"


CANCELLED = (AppointmentStatus.CANCELLED_BY_PRACTITIONER, AppointmentStatus.CANCELLED_BY_SERVICE)


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def live(self) -> AppointmentQuerySet:
        """Not cancelled: these hold their slot."""
        return self.exclude(status__in=CANCELLED)

    def booked(self) -> AppointmentQuerySet:
        return self.filter(status=AppointmentStatus.BOOKED)

    def upcoming(self) -> AppointmentQuerySet:
        return self.booked().filter(slot__end__gt=timezone.now())

    def with_slot(self) -> AppointmentQuerySet:
        return self.select_related("slot", "slot__site", "slot__site__region")


class Appointment(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    episode = models.ForeignKey(CareEpisode, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=12, choices=AppointmentKind.choices, default=AppointmentKind.TREATMENT)
    status = models.CharField(max_length=30, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    # Goes up by one at each reschedule, so reminders for the new time get fresh keys.
    version = models.PositiveIntegerField(default=1)
    booked_at = models.DateTimeField(default=timezone.now)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The secret part of the video room address; shown only to the practitioner and the clinician.
    video_token = EncryptedCharField(max_length=64, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = EncryptedTextField(blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["slot__start"]
        constraints = [
            # A slot can never be booked twice: at most one appointment that is not
            # cancelled per slot (a partial unique index), whatever the application does.
            models.UniqueConstraint(
                fields=["slot"],
                condition=~models.Q(status__in=CANCELLED),
                name="appointment_slot_booked_once",
            ),
            models.CheckConstraint(
                name="appointment_cancelled_has_time",
                condition=~models.Q(status__in=CANCELLED) | models.Q(cancelled_at__isnull=False),
            ),
        ]
        indexes = [
            # Caseload and "my appointments": an episode's appointments by status.
            models.Index(fields=["episode", "status"], name="appointment_episode_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Appointment #{self.pk} ({self.status})"

    @property
    def start(self) -> datetime:
        return self.slot.start

    @property
    def end(self) -> datetime:
        return self.slot.end

    @property
    def is_video(self) -> bool:
        return self.slot.site_id is None

    @property
    def is_cancelled(self) -> bool:
        return self.status in CANCELLED

    @property
    def is_upcoming(self) -> bool:
        return self.status == AppointmentStatus.BOOKED and self.slot.end > timezone.now()

    @property
    def video_url(self) -> str:
        if not (self.is_video and self.video_token):
            return ""
        return f"{settings.VIDEO_BASE_URL.rstrip('/')}/{self.video_token}"

    def video_link_open(self, now: datetime | None = None) -> bool:
        """True from 15 minutes before the start until the end, for a booked video appointment."""
        now = now or timezone.now()
        return (
            self.status == AppointmentStatus.BOOKED
            and bool(self.video_url)
            and self.slot.start - VIDEO_LINK_OPENS_BEFORE <= now <= self.slot.end
        )

    def changeable_by_practitioner(self, now: datetime | None = None) -> bool:
        """Practitioners may move or cancel a booked appointment until the cut-off before it."""
        now = now or timezone.now()
        cutoff = timedelta(hours=settings.BOOKING_CANCEL_CUTOFF_HOURS)
        return self.status == AppointmentStatus.BOOKED and now < self.slot.start - cutoff


class AppointmentReminder(models.Model):
    """One reminder queued for one booking of an appointment: the job's record of what it did.

    Unique per (appointment, hours before, version), so running the job twice, or two runs
    overlapping, never queues a second reminder; a reschedule bumps the version.
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    hours_before = models.PositiveSmallIntegerField()
    version = models.PositiveIntegerField()
    channel = models.CharField(max_length=10)
    notification = models.ForeignKey(
        "notifications.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "hours_before", "version"], name="appointment_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours_before}h reminder for appointment #{self.appointment_id} v{self.version}"
