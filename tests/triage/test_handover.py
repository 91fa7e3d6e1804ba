"""The handover between helpline and clinician: what the handler found at triage reaches the
clinician who takes the person on, and the helpline's record shows who has them."""

from __future__ import annotations

import pytest
from django.db import connection

from clinicians.models import CareEpisode, Handover
from clinicians.services.booking import appointment_book
from clinicians.services.care import episode_discharge, episode_start
from practitioner_health.accounts.models import Role
from practitioner_health.audit.models import AuditEvent
from practitioner_health.notifications.messages import indiscreet_words, render_message
from practitioner_health.notifications.models import Notification
from referrals.models import Need, ReferralNeed, SeenWhere, Status
from tests.clinicians.factories import ClinicianFactory, SlotFactory, in_days, region, service
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

TRIAGE = {
    "risk_level": "high",
    "needs": ["assessment", "cbt", "brief-psychotherapy"],
    "urgency": "soon",
    "pathway": "therapy",
    "notes": "Burnout after a rota change; drinking most nights.",
}


def _clinician_in_london(name: str):  # type: ignore[no-untyped-def]
    person = ClinicianFactory(user=UserFactory(role=Role.CLINICIAN, full_name=name), video=True)
    person.regions.set([region("london")])
    person.services.set([service(code) for code in ("assessment", "cbt", "brief-psychotherapy")])
    SlotFactory(clinician=person, start=in_days(2, 9))
    return person


def _triage_and_assign(client_for, referral, assignee):  # type: ignore[no-untyped-def]
    handler = UserFactory(role=Role.HANDLER, full_name="Hana Okoro")
    browser = client_for(handler)
    assert browser.post(f"/helpline/referral/{referral.pk}/triage/", TRIAGE).status_code == 302
    response = browser.post(f"/helpline/referral/{referral.pk}/match/", {"clinician": assignee.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    return browser, CareEpisode.objects.get(referral=referral)


def test_the_clinician_reads_the_helpline_handover_on_the_patient_record(client_for) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london", needs_other="Sleep")
    ReferralNeed.objects.create(referral=referral, need=Need.ALCOHOL)
    assignee = _clinician_in_london("Dr Sam Okafor")
    _, episode = _triage_and_assign(client_for, referral, assignee)

    page = client_for(assignee.user).get(f"/clinician/patients/{episode.pk}/").content.decode()

    handover = page.split('id="handover"')[1].split("<h2")[0]
    assert "by Hana Okoro" in handover
    assert '<strong class="nhsuk-tag nhsuk-tag--red">High</strong>' in handover
    assert "Soon" in handover and "One-to-one therapy" in handover
    assert "Assessment, CBT, brief psychotherapy" in handover
    assert "Burnout after a rota change; drinking most nights." in handover
    assert "Alcohol" in page and "Sleep" in page  # what they asked for help with
    assert "Doctor, GP" in page and "(less than a week ago)" in page
    assert AuditEvent.objects.filter(actor=assignee.user, detail="patient record").exists()


def test_the_handover_is_stored_encrypted(client_for) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    _triage_and_assign(client_for, referral, _clinician_in_london("Dr Sam Okafor"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT facts FROM clinicians_handover")
        (stored,) = cursor.fetchone()
    assert "rota" not in stored and "High" not in stored and "therapy" not in stored


def test_a_triage_after_assignment_reaches_the_clinician(client_for) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    assignee = _clinician_in_london("Dr Sam Okafor")
    browser, episode = _triage_and_assign(client_for, referral, assignee)

    # A call after assignment, waiting for the first appointment: the risk has gone up.
    later = {**TRIAGE, "risk_level": "immediate", "immediate_action": "Crisis team called", "notes": "Worse."}
    assert browser.post(f"/helpline/referral/{referral.pk}/triage/", later).status_code == 302

    page = client_for(assignee.user).get(f"/clinician/patients/{episode.pk}/").content.decode()
    handover = page.split('id="handover"')[1].split("<h2")[0]
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Immediate</strong>' in handover
    assert "Crisis team called" in handover and "Worse." in handover
    assert "drinking most nights" not in handover  # the helpline record keeps the earlier triage
    assert "drinking most nights" in browser.get(f"/helpline/referral/{referral.pk}/").content.decode()
    assert AuditEvent.objects.filter(detail="handover updated", object_id=str(episode.pk)).exists()
    emails = Notification.objects.filter(template="handover_updated")
    assert [n.recipient for n in emails] == [assignee.user.email]
    message = render_message("email", "handover_updated", {})
    assert not indiscreet_words(f"{message.subject}\n{message.body}")


def test_a_triage_after_discharge_leaves_the_handover_alone(client_for) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    assignee = _clinician_in_london("Dr Sam Okafor")
    browser, episode = _triage_and_assign(client_for, referral, assignee)
    episode_discharge(
        episode_id=episode.pk,
        reason="completed",
        note="",
        by=assignee.user,
        risk_plan_confirmed=True,  # high risk at triage: discharge needs the risk plan confirmed
        risk_plan_note="Crisis plan held by their GP.",
    )

    assert browser.post(f"/helpline/referral/{referral.pk}/triage/", {**TRIAGE, "notes": "Later."}).status_code == 302

    assert "Later." not in Handover.objects.get(episode=episode).read().notes
    assert not Notification.objects.filter(template="handover_updated").exists()


def test_another_clinician_never_sees_the_handover(client_for, other_clinician) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    _, episode = _triage_and_assign(client_for, referral, _clinician_in_london("Dr Sam Okafor"))
    ClinicianFactory(user=other_clinician)

    response = client_for(other_clinician).get(f"/clinician/patients/{episode.pk}/")

    assert response.status_code == 404
    assert "rota" not in response.content.decode()


def test_a_person_put_in_care_without_triage_has_no_handover_and_the_page_says_so(client_for) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(status=Status.TRIAGED)
    assignee = _clinician_in_london("Dr Sam Okafor")
    episode = episode_start(referral_id=referral.pk, clinician_id=assignee.pk, started_by=None)

    page = client_for(assignee.user).get(f"/clinician/patients/{episode.pk}/").content.decode()

    assert not Handover.objects.exists()
    assert "No handover: this person was put in your care without a triage from the helpline." in page


def test_the_helpline_record_shows_who_has_the_person_and_their_next_appointment(client_for) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    assignee = _clinician_in_london("Dr Sam Okafor")
    browser, episode = _triage_and_assign(client_for, referral, assignee)
    slot = SlotFactory(clinician=assignee, start=in_days(3, 14))
    appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=UserFactory(role=Role.HANDLER))

    page = browser.get(f"/helpline/referral/{referral.pk}/").content.decode()
    care = page.split('id="care"')[1].split("<h2")[0]

    assert "With Dr Sam Okafor, " in care
    assert f"Next appointment {in_days(3, 14):%A} {in_days(3, 14).day} {in_days(3, 14):%B}" in care
    assert f'href="/clinician/booking/episodes/{episode.pk}/"' in care
    assert "rota" not in care  # the helpline's own notes are elsewhere; no clinical notes here

    episode_discharge(
        episode_id=episode.pk,
        reason="completed",
        note="Finished CBT.",
        by=assignee.user,
        referred_on_to="gp",
        risk_plan_confirmed=True,  # high risk at triage: discharge needs the risk plan confirmed
        risk_plan_note="Crisis plan held by their GP.",
    )
    care = browser.get(f"/helpline/referral/{referral.pk}/").content.decode().split('id="care"')[1].split("<h2")[0]
    assert "Was with Dr Sam Okafor" in care and "completed treatment" in care
    assert "Referred on to: Their GP." in care
    assert "Finished CBT." not in care and "Crisis plan" not in care and "/clinician/booking/" not in care


def test_a_referral_not_yet_with_a_clinician_says_so(client_for, handler) -> None:  # type: ignore[no-untyped-def]
    referral = ReferralFactory()
    page = client_for(handler).get(f"/helpline/referral/{referral.pk}/").content.decode()
    assert "Not with a clinician yet." in page


def test_the_caseload_flags_who_the_helpline_found_at_high_risk(client_for) -> None:  # type: ignore[no-untyped-def]
    high = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london", name="Dr High Risk")
    assignee = _clinician_in_london("Dr Sam Okafor")
    browser, _ = _triage_and_assign(client_for, high, assignee)
    SlotFactory(clinician=assignee, start=in_days(3, 9))
    low = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london", name="Dr Low Risk")
    assert browser.post(f"/helpline/referral/{low.pk}/triage/", {**TRIAGE, "risk_level": "low"}).status_code == 302
    assert browser.post(f"/helpline/referral/{low.pk}/match/", {"clinician": assignee.pk}).status_code == 302

    page = client_for(assignee.user).get("/clinician/").content.decode()

    rows = {name: page.split(name)[1].split("</tr>")[0] for name in ("Dr High Risk", "Dr Low Risk")}
    assert "High risk at triage" in rows["Dr High Risk"]
    assert "High risk at triage" not in rows["Dr Low Risk"]


def test_handovers_written_before_the_flag_get_it_from_their_facts(client_for) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from django.apps import apps

    migration = importlib.import_module("clinicians.migrations.0006_handover_high_risk")
    referral = ReferralFactory(seen_where=SeenWhere.REGION, seen_region="london")
    _, episode = _triage_and_assign(client_for, referral, _clinician_in_london("Dr Sam Okafor"))
    Handover.objects.filter(episode=episode).update(high_risk=False)  # as the column was added

    with connection.schema_editor() as editor:
        migration.high_risk_from_facts(apps, editor)

    assert Handover.objects.get(episode=episode).high_risk
