"""Writing audit rows. Call `audit_record` wherever personal data is read or changed."""

from __future__ import annotations

from django.db import models

from . import context
from .models import Action, AuditEvent


def audit_record(
    *,
    action: Action | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    subject_id: int | None = None,
    detail: str = "",
    actor_id: int | None = None,
    actor_role: str = "",
) -> AuditEvent:
    """Append one audit row; actor, request id and address come from the current request.

    `detail` must be a label ("session note", "contact preferences"), never personal data.
    """
    current = context.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return AuditEvent.objects.create(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        subject_id=subject_id,
        detail=detail,
        actor_id=actor_id if actor_id is not None else (current.actor_id if current else None),
        actor_role=actor_role or (current.actor_role if current else ""),
        request_id=current.request_id if current else "",
        ip_address=current.ip_address if current else None,
    )
