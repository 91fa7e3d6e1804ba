"""Group programmes (reflective practice, suspended doctors, recovery): sessions, members, attendance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .network import Clinician, Site


class GroupKind(models.TextChoices):
    REFLECTIVE_PRACTICE = "reflective-practice", "Reflective practice"
    SUSPENDED_DOCTORS = "suspended-doctors", "Suspended doctors"
    ADDICTION_RECOVERY = "addiction-recovery", "Addiction recovery"
    RETURN_TO_WORK = "return-to-work", "Return to work"
    OTHER = "other", "Other"


class GroupProgramme(models.Model):
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=GroupKind.choices)
    description = models.TextField(blank=True)
    facilitator = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="groups")
    # No site means the group meets by video.
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(name="group_capacity_positive", condition=models.Q(capacity__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMembershipQuerySet(models.QuerySet["GroupMembership"]):
    def current(self) -> GroupMembershipQuerySet:
        return self.filter(left_at__isnull=True)


class GroupMembership(models.Model):
    programme = models.ForeignKey(GroupProgramme, on_delete=models.CASCADE, related_name="memberships")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="group_memberships")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "referral"],
                condition=models.Q(left_at__isnull=True),
                name="group_member_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Member #{self.pk} of {self.programme}"


class GroupSession(models.Model):
    programme = models.ForeignKey(GroupProgramme, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "starts_at"], name="group_session_unique_start"),
            models.CheckConstraint(
                name="group_session_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} on {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    DID_NOT_ATTEND = "did-not-attend", "Did not attend"


class GroupAttendance(models.Model):
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(GroupMembership, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "membership"], name="group_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.session})"
