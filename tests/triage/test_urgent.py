"""Urgent stays urgent until seen: an urgent or high-risk person stays in the red queue, with a
target and a visible breach, until their first attended appointment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from clinicians.services.booking import appointment_attendance_record
from practitioner_health.accounts.models import User
from practitioner_health.hours import UK, end_of_working_day, parse_hours
from referrals.models import Eligibility, Referral, Status
from tests.clinicians.factories import ClinicianFactory, SlotFactory
from tests.factories import ReferralFactory
from triage.models import BankHoliday, RiskLevel, Urgency
from triage.services.assign import referral_assign
from triage.services.helpline import call_log_record, triage_assessment_record

pytestmark = pytest.mark.django_db

HOURS = parse_hours("mon-fri 08:00-20:00; sat 08:00-14:00")
# Tuesday 24 November 2026; London is on GMT, so UTC times read as local ones.
TUESDAY_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UK)


@pytest.mark.parametrize(
    ("moment", "holidays", "days_after", "due"),
    [
        pytest.param(local(24, 12), set(), 0, local(24, 20), id="in-hours-same-day"),
        pytest.param(local(24, 7), set(), 0, local(24, 20), id="before-opening-same-day"),
        pytest.param(local(27, 21), set(), 0, local(28, 14), id="friday-night-saturday-close"),
        pytest.param(local(28, 15), set(), 0, local(30, 20), id="saturday-after-close-monday"),
        pytest.param(local(28, 15), {date(2026, 11, 30)}, 0, local(1, 20, month=12), id="bank-holiday-skipped"),
        pytest.param(local(24, 12), set(), 1, local(25, 20), id="one-working-day"),
        pytest.param(local(27, 12), set(), 1, local(28, 14), id="one-working-day-saturday"),
        pytest.param(local(27, 12), {date(2026, 11, 30)}, 2, local(1, 20, month=12), id="two-over-a-holiday"),
    ],
)
def test_the_end_of_a_working_day_follows_opening_hours_and_bank_holidays(moment, holidays, days_after, due) -> None:  # type: ignore[no-untyped-def]
    assert end_of_working_day(moment, HOURS, holidays, days_after=days_after) == due


def _urgent_section(client: Client) -> str:
    page = client.get("/helpline/").content.decode()
    return page[page.index('id="queue-urgent"') : page.index('id="queue-callbacks-due"')]


def _elsewhere(client: Client) -> str:
    page = client.get("/helpline/").content.decode()
    return page[page.index('id="queue-callbacks-due"') :]


def _banner(client: Client, referral: Referral) -> str:
    page = client.get(f"/helpline/referral/{referral.pk}/").content.decode()
    if "nhsuk-warning-callout" not in page:
        return ""
    start = page.index('<div class="nhsuk-warning-callout">')
    return page[start : page.index("</div>", start)]


def test_an_urgent_person_stays_red_with_a_target_until_a_clinician_has_seen_them(
    client_for, handler: User, clinician: User
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(handler)
    with time_machine.travel(TUESDAY_NOON, tick=False):
        client.get("/helpline/")
        referral = ReferralFactory(
            urgent=True, self_harm_thoughts=True, eligibility=Eligibility.ELIGIBLE, submitted_at=TUESDAY_NOON
        )
        section = _urgent_section(client)
        assert referral.reference in section
        assert "Target: contact by 20:00, 24 Nov. Next: call back" in section
        assert "Target missed" not in section
        banner = _banner(client, referral)
        assert "Urgent: call back today" in banner
        assert "Target: contact by 20:00, Tuesday 24 November." in banner

    with time_machine.travel(TUESDAY_NOON + timedelta(hours=9), tick=False):
        client = client_for(handler)  # a new sign-in: the morning's session has timed out
        # 21:00 and nobody has called: the target is missed, for all to see.
        assert "Target missed" in _urgent_section(client)
        assert "Target missed" in _banner(client, referral)

    with time_machine.travel(TUESDAY_NOON + timedelta(hours=1), tick=False):
        client = client_for(handler)
        call_log_record(
            handler=handler, referral=referral, direction="outbound", channel="phone", outcome="answered", notes=""
        )
        section = _urgent_section(client)
        assert referral.reference in section and "Next: triage" in section
        assert referral.reference not in _elsewhere(client), "not also in 'contacted, not yet triaged'"
        banner = _banner(client, referral)
        assert "Urgent: call back today" not in banner
        assert "Urgent: triage next" in banner
        assert "Still to do: triage, assign a clinician, first appointment." in banner

        triage_assessment_record(
            referral=referral,
            assessed_by=handler,
            risk_level=RiskLevel.MODERATE,
            needs=["assessment"],
            urgency=Urgency.URGENT,
            pathway="psychiatry",
            notes="",
        )
        section = _urgent_section(client)
        # Today an urgent case used to turn grey here: it stays red, now against "seen within 1 working day".
        assert referral.reference in section
        assert "Target: seen by a clinician by 20:00, 25 Nov. Next: assign a clinician" in section
        assert referral.reference not in _elsewhere(client)
        assert "Urgent: assign a clinician next" in _banner(client, referral)

        person = ClinicianFactory(user=clinician)
        slot = SlotFactory(clinician=person, start=TUESDAY_NOON + timedelta(hours=3))
        episode = referral_assign(referral=referral, clinician_id=person.pk, handler=handler, slot_id=slot.pk)
        assert referral.reference in _urgent_section(client)
        assert referral.reference not in _elsewhere(client)
        banner = _banner(client, referral)
        assert "Urgent: first appointment next" in banner and "Still to do: first appointment." in banner

    with time_machine.travel(TUESDAY_NOON + timedelta(hours=4), tick=False):
        client = client_for(handler)
        appointment = episode.appointments.get()
        appointment_attendance_record(appointment_id=appointment.pk, attended=False, by=clinician)
        assert referral.reference in _urgent_section(client), "a missed appointment is not being seen"
        appointment_attendance_record(appointment_id=appointment.pk, attended=True, by=clinician)
        page = client.get("/helpline/").content.decode()
        assert referral.reference not in page, "seen: now on the clinician's caseload"
        assert _banner(client, referral) == ""


def test_high_risk_at_triage_moves_a_routine_referral_into_the_urgent_queue(client_for, handler: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(handler)
    with time_machine.travel(TUESDAY_NOON, tick=False):
        referral = ReferralFactory(status=Status.CONTACTED, eligibility=Eligibility.ELIGIBLE)
        assert referral.reference not in _urgent_section(client)
        triage_assessment_record(
            referral=referral,
            assessed_by=handler,
            risk_level=RiskLevel.HIGH,
            needs=["assessment"],
            urgency=Urgency.SOON,
            pathway="psychiatry",
            notes="",
        )
        section = _urgent_section(client)
        # "Soon": seen within 10 working days of the triage (the helpline's, so Saturdays count).
        assert referral.reference in section and "Target: seen by a clinician by 14:00, 5 Dec" in section
        banner = _banner(client, referral)
        assert "High risk at triage." in banner and "Urgent: assign a clinician next" in banner
    with time_machine.travel(datetime(2026, 12, 5, 14, 1, tzinfo=UTC), tick=False):
        assert "Target missed" in _urgent_section(client_for(handler))


def test_a_referral_arriving_out_of_hours_is_due_by_the_next_working_day(client_for, handler: User) -> None:  # type: ignore[no-untyped-def]
    BankHoliday.objects.create(date=date(2026, 11, 30), name="A bank holiday")
    saturday_evening = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
    client = client_for(handler)
    with time_machine.travel(saturday_evening, tick=False):
        referral = ReferralFactory(urgent=True, submitted_at=saturday_evening)
        assert "Target: contact by 20:00, 1 Dec" in _urgent_section(client)
        assert "Target missed" not in _banner(client, referral)
