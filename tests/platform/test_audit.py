import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from practitioner_health.audit.models import Action, AuditEvent, AuditImmutableError
from practitioner_health.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(practitioner) -> AuditEvent:  # type: ignore[no-untyped-def]
    return audit_record(action=Action.VIEW, obj=practitioner, subject_id=practitioner.pk, detail="profile")


def test_an_audit_row_cannot_be_changed_through_the_model(event: AuditEvent) -> None:
    event.detail = "tampered"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    event.refresh_from_db()
    assert event.detail == "profile"


def test_an_audit_row_cannot_be_changed_through_a_queryset(event: AuditEvent) -> None:
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="tampered")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == "profile"


def test_the_database_refuses_raw_updates_and_deletes(event: AuditEvent) -> None:
    for statement in (
        "UPDATE audit_auditevent SET detail = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == "profile"


def test_rows_written_in_a_request_carry_actor_request_id_and_address(client_for, practitioner) -> None:  # type: ignore[no-untyped-def]
    client: Client = client_for(practitioner)
    response = client.post("/account/backup-codes/")
    event = AuditEvent.objects.filter(detail="backup codes regenerated").get()
    assert event.actor_id == practitioner.pk
    assert event.actor_role == "practitioner"
    assert event.request_id == response["X-Request-ID"]
    assert event.ip_address == "127.0.0.1"
    assert event.subject_id == practitioner.pk


def test_the_admin_shows_the_log_read_only(client_for, admin_user, event: AuditEvent) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    response = client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
