"""The demo seed counts the last year, so the demo dashboard has figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from clinicians.models import Appointment, AppointmentStatus, CareEpisode, Handover, OutcomeMeasure
from demo import seed, seed_reporting
from practitioner_health.accounts.models import Role, User
from referrals.models import EligibilityDecision, Referral
from reporting.models import FactsRefresh, ReferralFact
from tests.factories import ReferralFactory

from .factories import at
from .helpers import counted, page_tables

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]


def test_the_demo_seed_counts_the_last_twelve_months_and_can_run_again(
    commissioner: User, client_for: Callable[[User], Client]
) -> None:
    ReferralFactory(submitted_at=at(2025, 3, 4))
    ReferralFactory(submitted_at=at(2025, 8, 1))

    months = seed_reporting.seed({Role.COMMISSIONER: commissioner})
    seed_reporting.seed({Role.COMMISSIONER: commissioner})

    assert (months[0], months[-1], len(months)) == (date(2024, 9, 1), date(2025, 8, 1), 12)
    assert FactsRefresh.objects.count() == 12
    html = client_for(commissioner).get("/reporting/", {"period": "custom", "start": "2025-03", "end": "2025-08"})
    tables = page_tables(html.content.decode())
    # Both months were counted: one referral in each (and 2 are shown as hidden).
    assert [counted(ReferralFact, month, "referrals") for month in (date(2025, 3, 1), date(2025, 8, 1))] == [1, 1]
    assert tables["Referrals received and their eligibility"]["Referrals received"] == ["*", "*"]
    assert "Some months have not been counted yet" not in html.content.decode()


def test_the_demo_data_happen_in_order(
    practitioner: User, handler: User, clinician: User, commissioner: User, admin_user: User
) -> None:
    """No assessment before its referral, no appointment before its episode starts: the demo
    figures (waits, outcomes by month) only make sense if each date follows the one before."""
    users = {
        Role.PRACTITIONER: practitioner,
        Role.HANDLER: handler,
        Role.CLINICIAN: clinician,
        Role.COMMISSIONER: commissioner,
        Role.SERVICE_ADMIN: admin_user,
    }
    seed.seed_all(users=users)

    referrals = Referral.objects.all()
    assert referrals.exists()
    for referral in referrals:
        decided = EligibilityDecision.objects.filter(referral=referral).values_list("decided_at", flat=True)
        assert all(at_ >= referral.submitted_at for at_ in decided), referral.reference
        assert referral.closed_at is None or referral.closed_at >= referral.submitted_at, referral.reference
    episodes = CareEpisode.objects.select_related("referral")
    assert episodes.exists()
    for episode in episodes:
        assert episode.started_at >= episode.referral.submitted_at
        handover = Handover.objects.filter(episode=episode).first()
        if handover is not None:
            assert episode.referral.submitted_at <= handover.read().assessed_at <= episode.started_at
    appointments = Appointment.objects.select_related("slot", "episode")
    assert appointments.filter(status=AppointmentStatus.ATTENDED).exists()
    for appointment in appointments:
        assert appointment.episode.started_at <= appointment.booked_at <= appointment.slot.start
        if appointment.attendance_recorded_at is not None:
            assert appointment.attendance_recorded_at >= appointment.slot.start
    for outcome in OutcomeMeasure.objects.select_related("appointment__slot", "episode"):
        assert outcome.recorded_at >= outcome.episode.started_at
        assert outcome.appointment is None or outcome.recorded_at >= outcome.appointment.slot.start
