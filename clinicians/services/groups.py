"""Group programmes: sessions, members and attendance."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from ..models import AttendanceStatus, GroupAttendance, GroupMembership, GroupProgramme, GroupSession


class GroupError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def group_member_add(*, programme_id: int, referral_id: int) -> GroupMembership:
    """Add a practitioner to a group, up to its capacity (the programme row is locked for the count)."""
    with transaction.atomic():
        programme = GroupProgramme.objects.select_for_update().get(pk=programme_id)
        if programme.memberships.current().count() >= programme.capacity:
            raise GroupError(f"This group is full ({programme.capacity} members).")
        try:
            with transaction.atomic():
                return GroupMembership.objects.create(programme=programme, referral_id=referral_id)
        except IntegrityError as exc:
            raise GroupError("This person is already a member of the group.") from exc


def group_session_add(*, programme_id: int, starts_at: datetime, length_minutes: int) -> GroupSession:
    if starts_at <= timezone.now():
        raise GroupError("Choose a time in the future.")
    try:
        with transaction.atomic():
            return GroupSession.objects.create(
                programme_id=programme_id, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=length_minutes)
            )
    except IntegrityError as exc:
        raise GroupError("There is already a session at that time.") from exc


def group_attendance_record(*, session_id: int, statuses: Mapping[int, str], by: User) -> int:
    """Record attendance for members of the session's group ({membership id: status}).

    Only current members of this group count; answering again replaces the earlier answer.
    Returns how many were recorded.
    """
    with transaction.atomic():
        session = GroupSession.objects.select_related("programme").get(pk=session_id)
        if session.starts_at > timezone.now():
            raise GroupError("You can record attendance once the session has started.")
        members = set(session.programme.memberships.current().values_list("pk", flat=True))
        recorded = 0
        for membership_id, status in statuses.items():
            if membership_id not in members or status not in AttendanceStatus.values:
                continue
            GroupAttendance.objects.update_or_create(
                session=session,
                membership_id=membership_id,
                defaults={"status": status, "recorded_by": by, "recorded_at": timezone.now()},
            )
            recorded += 1
        audit_record(action=Action.UPDATE, obj=session, detail="group attendance")
        return recorded
