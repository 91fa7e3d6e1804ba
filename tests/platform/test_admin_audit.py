"""The admin's reads and changes of people are audited and shown to the person; an email
address is changed only with a reason, and the old address is told."""

from __future__ import annotations

import pytest
from django.core import mail

from practitioner_health.accounts.models import Role, User
from practitioner_health.audit.models import Action, AuditEvent
from practitioner_health.notifications.messages import indiscreet_words
from practitioner_health.notifications.models import Notification
from practitioner_health.notifications.services import notification_send
from tests.clinicians.factories import ClinicianFactory, episode_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def user_form(user: User, **changes: str) -> dict[str, str]:
    data = {"email": user.email, "full_name": user.full_name, "role": user.role, "is_active": "on"}
    data.update(changes)
    return data


def test_viewing_a_practitioners_account_in_the_admin_is_audited_and_shown_to_them(  # type: ignore[no-untyped-def]
    client_for, admin_user: User, practitioner: User
) -> None:
    admin_user.full_name = "Morgan Admin"
    admin_user.save()
    response = client_for(admin_user).get(f"/admin/accounts/user/{practitioner.pk}/change/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(subject_id=practitioner.pk, action=Action.VIEW)
    assert event.actor_id == admin_user.pk and event.object_type == "accounts.user"
    assert event.object_id == str(practitioner.pk) and event.detail == "in the admin"

    page = client_for(practitioner).get("/refer/my/record-access/").content.decode()
    assert "Morgan Admin, service administrator" in page
    assert "Viewed your account (in the admin)" in page


def test_editing_an_account_in_the_admin_is_audited_with_the_fields_changed(  # type: ignore[no-untyped-def]
    client_for, admin_user: User, practitioner: User
) -> None:
    response = client_for(admin_user).post(
        f"/admin/accounts/user/{practitioner.pk}/change/", user_form(practitioner, full_name="Dr Avery Changed")
    )
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.full_name == "Dr Avery Changed"
    event = AuditEvent.objects.get(subject_id=practitioner.pk, action=Action.UPDATE)
    assert event.actor_id == admin_user.pk and event.detail == "in the admin: full name"
    assert "Avery" not in event.detail, "labels only, never the data"
    assert not Notification.objects.filter(subject=practitioner).exists(), "no email for a name change"


def test_viewing_and_editing_a_clinician_in_the_admin_is_audited(client_for, admin_user: User) -> None:  # type: ignore[no-untyped-def]
    clinician = ClinicianFactory()
    client = client_for(admin_user)
    assert client.get(f"/admin/clinicians/clinician/{clinician.pk}/change/").status_code == 200
    viewed = AuditEvent.objects.get(action=Action.VIEW, object_type="clinicians.clinician")
    assert viewed.subject_id == clinician.user_id and viewed.actor_id == admin_user.pk
    assert viewed.object_id == str(clinician.pk)

    form = client.get(f"/admin/clinicians/clinician/{clinician.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        user=str(clinician.user_id),
        services=[str(s.pk) for s in clinician.services.all()],
        regions=[str(r.pk) for r in clinician.regions.all()],
        sites=[],
        max_caseload="12",
        video="on",
        active="on",
    )
    response = client.post(f"/admin/clinicians/clinician/{clinician.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    changed = AuditEvent.objects.get(action=Action.UPDATE, object_type="clinicians.clinician")
    assert changed.subject_id == clinician.user_id and changed.detail == "in the admin: maximum caseload"


def test_viewing_a_referral_in_the_admin_is_audited_and_shown_to_the_practitioner(  # type: ignore[no-untyped-def]
    client_for, admin_user: User, practitioner: User
) -> None:
    episode = episode_for(practitioner)
    assert client_for(admin_user).get(f"/admin/clinicians/careepisode/{episode.pk}/change/").status_code == 200
    event = AuditEvent.objects.get(action=Action.VIEW, subject_id=practitioner.pk, actor=admin_user)
    assert event.object_type == "referrals.referral" and event.object_id == str(episode.referral_id)
    page = client_for(practitioner).get("/refer/my/record-access/").content.decode()
    assert "Viewed your referral (care episode in the admin)" in page


def test_an_email_address_is_not_changed_in_the_admin_without_a_reason(  # type: ignore[no-untyped-def]
    client_for, admin_user: User, practitioner: User
) -> None:
    old = practitioner.email
    response = client_for(admin_user).post(
        f"/admin/accounts/user/{practitioner.pk}/change/", user_form(practitioner, email="someone.new@example.com")
    )
    assert response.status_code == 200
    assert "Choose why the email address is changing" in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.email == old
    assert not AuditEvent.objects.filter(subject_id=practitioner.pk, action=Action.UPDATE).exists()


def test_changing_an_email_address_in_the_admin_records_the_reason_and_tells_the_old_address(  # type: ignore[no-untyped-def]
    client_for, admin_user: User, practitioner: User
) -> None:
    old = practitioner.email
    response = client_for(admin_user).post(
        f"/admin/accounts/user/{practitioner.pk}/change/",
        user_form(practitioner, email="Someone.New@example.com", email_change_reason="holder_asked"),
    )
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.email == "someone.new@example.com"
    event = AuditEvent.objects.get(subject_id=practitioner.pk, action=Action.UPDATE)
    assert event.actor_id == admin_user.pk
    assert event.detail == "in the admin: email address (the account holder asked; identity checked)"
    assert "someone.new" not in event.detail and old not in event.detail

    notification = Notification.objects.get(template="email_changed", subject=practitioner)
    assert notification.recipient == old, "the old address, where the real person reads it"
    notification_send(notification_id=notification.pk)
    sent = mail.outbox[-1]
    assert sent.to == [old]
    assert not indiscreet_words(f"{sent.subject}\n{sent.body}")
    assert "someone.new@example.com" not in sent.body, "the new address is not shown to whoever reads the old one"
    assert "changed" in sent.subject.lower()

    page = client_for(practitioner).get("/refer/my/record-access/").content.decode()
    assert "Changed your account (in the admin: email address (the account holder asked; identity checked))" in page


def test_the_reason_is_not_asked_for_when_the_address_only_changes_case(  # type: ignore[no-untyped-def]
    client_for, admin_user: User, practitioner: User
) -> None:
    response = client_for(admin_user).post(
        f"/admin/accounts/user/{practitioner.pk}/change/", user_form(practitioner, email=practitioner.email.upper())
    )
    assert response.status_code == 302
    assert not Notification.objects.filter(template="email_changed").exists()


def test_a_staff_email_change_tells_the_old_address_too(client_for, admin_user: User) -> None:  # type: ignore[no-untyped-def]
    handler = UserFactory(role=Role.HANDLER)
    old = handler.email
    client_for(admin_user).post(
        f"/admin/accounts/user/{handler.pk}/change/",
        user_form(handler, email="handler.moved@example.nhs.uk", email_change_reason="correction"),
    )
    assert Notification.objects.get(template="email_changed").recipient == old


def test_adding_an_account_in_the_admin_is_audited_and_needs_no_reason(client_for, admin_user: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    assert "email_change_reason" not in client.get("/admin/accounts/user/add/").content.decode()
    response = client.post(
        "/admin/accounts/user/add/",
        {"email": "new.handler@example.nhs.uk", "full_name": "Sam New", "role": Role.HANDLER, "is_active": "on"},
    )
    assert response.status_code == 302
    created = User.objects.get_by_email("new.handler@example.nhs.uk")
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="accounts.user", object_id=str(created.pk))
    assert event.actor_id == admin_user.pk and event.subject_id == created.pk
    assert not Notification.objects.filter(template="email_changed").exists()
