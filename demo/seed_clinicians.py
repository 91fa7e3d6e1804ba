"""Demo data for clinicians: two sites, the demo clinician's profile and weekly times, and,
if the demo practitioner has a referral, their care episode with a past assessment (with
scores, so the chart has something to show) and an upcoming appointment. Idempotent.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinicians.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AvailabilityPattern,
    CareEpisode,
    Clinician,
    GroupKind,
    GroupMembership,
    GroupProgramme,
    GroupSession,
    Handover,
    HandoverFacts,
    Profession,
    Region,
    Service,
    ServiceCode,
    Site,
    Slot,
    SlotStatus,
    Weekday,
)
from clinicians.selectors import open_episode_for_referral, open_slots
from clinicians.services import appointment_book, episode_start, outcomes_record, slots_generate
from practitioner_health.accounts.models import Role
from practitioner_health.regions import NHSRegion
from referrals.models import Referral

SITES = (
    (NHSRegion.LONDON, "Riverside Rooms", "12 Quay Street\nLondon\nSE1 9AA", "Ring the buzzer for Suite 4. Step-free."),
    (NHSRegion.SOUTH_EAST, "Elm House", "3 Station Approach\nGuildford\nGU1 4AB", "Reception on the first floor."),
)
# The demo practitioner's care, in days before the seed runs: referred 30 days ago (see
# seed_referrals), triaged by the helpline, put in the clinician's care, then assessed.
TRIAGED_DAYS_AGO, EPISODE_DAYS_AGO, ASSESSED_DAYS_AGO = 24, 22, 14
# (weekday, start, site index or None for video)
PATTERNS = (
    (Weekday.MONDAY, time(10, 0), 0),
    (Weekday.WEDNESDAY, time(14, 0), None),
    (Weekday.THURSDAY, time(9, 30), 1),
)


def seed(users: dict[Any, Any]) -> None:
    clinician_user = users.get(Role.CLINICIAN)
    if clinician_user is None:
        return
    with transaction.atomic():
        for code in NHSRegion.values:
            Region.objects.get_or_create(code=code)
        for code in ServiceCode.values:
            Service.objects.get_or_create(code=code)
        sites = [
            Site.objects.get_or_create(
                region=Region.objects.get(code=region),
                name=name,
                defaults={"address": address, "access_notes": notes},
            )[0]
            for region, name, address, notes in SITES
        ]
        clinician, created = Clinician.objects.get_or_create(
            user=clinician_user, defaults={"profession": Profession.PSYCHIATRIST, "max_caseload": 25}
        )
        if created:
            clinician.services.set(
                Service.objects.filter(code__in=[ServiceCode.ASSESSMENT, ServiceCode.PSYCHIATRY, ServiceCode.CBT])
            )
            clinician.regions.set(Region.objects.filter(code__in=[NHSRegion.LONDON, NHSRegion.SOUTH_EAST]))
            clinician.sites.set(sites)
        if not clinician.patterns.exists():
            for weekday, start, site_index in PATTERNS:
                AvailabilityPattern.objects.create(
                    clinician=clinician,
                    weekday=weekday,
                    start_time=start,
                    length_minutes=50,
                    site=None if site_index is None else sites[site_index],
                )
        slots_generate(clinician_id=clinician.pk, weeks=settings.SLOT_GENERATION_WEEKS)
        _seed_group(clinician)
        _seed_care(users, clinician)


def _seed_group(clinician: Clinician) -> None:
    group, created = GroupProgramme.objects.get_or_create(
        name="Reflective practice (Tuesday evenings)",
        defaults={
            "kind": GroupKind.REFLECTIVE_PRACTICE,
            "facilitator": clinician,
            "capacity": 8,
            "description": "A confidential space to think together about the emotional side of clinical work.",
        },
    )
    if created:
        today = timezone.localdate()
        for weeks in (-1, 1, 2):
            day = today + timedelta(days=(1 - today.weekday()) % 7 + 7 * weeks)
            start = timezone.make_aware(datetime.combine(day, time(18, 30)))
            GroupSession.objects.create(programme=group, starts_at=start, ends_at=start + timedelta(minutes=90))


def _seed_care(users: dict[Any, Any], clinician: Clinician) -> None:
    practitioner = users.get(Role.PRACTITIONER)
    referral = Referral.objects.filter(user=practitioner).order_by("-submitted_at").first() if practitioner else None
    if referral is None:
        return
    episode = open_episode_for_referral(referral.pk)
    if episode is None:
        if referral.care_episodes.exists():
            return  # discharged in the demo: leave it that way
        handler = users.get(Role.HANDLER)
        episode = episode_start(
            referral_id=referral.pk,
            clinician_id=clinician.pk,
            started_by=handler,
            handover=HandoverFacts(
                assessed_at=timezone.now() - timedelta(days=TRIAGED_DAYS_AGO),
                assessed_by=handler.display_name if handler else "The helpline",
                risk="Moderate",
                high_risk=False,
                urgency="Soon",
                pathway="One-to-one therapy",
                services=("assessment", "cbt"),
                notes="Exhausted after a run of night shifts; sleeping badly; no thoughts of self-harm. "
                "Would rather not be seen near their own trust.",
            ),
        )
        # The services start an episode now; the demo's began after the triage and before the
        # past assessment, so every date in the demo follows the one before it.
        started = timezone.now() - timedelta(days=EPISODE_DAYS_AGO)
        CareEpisode.objects.filter(pk=episode.pk).update(started_at=started)
        Handover.objects.filter(episode=episode).update(written_at=started)
        episode.started_at = started
    group = GroupProgramme.objects.filter(facilitator=clinician).first()
    if group and not GroupMembership.objects.filter(programme=group, referral=referral).exists():
        GroupMembership.objects.create(programme=group, referral=referral)
    if not episode.appointments.exists():
        # A past assessment, made directly: the booking service only books future times.
        start = timezone.make_aware(
            datetime.combine(timezone.localdate() - timedelta(days=ASSESSED_DAYS_AGO), time(10, 0))
        )
        slot = Slot.objects.create(
            clinician=clinician, start=start, end=start + timedelta(minutes=50), status=SlotStatus.BOOKED
        )
        past = Appointment.objects.create(
            slot=slot,
            episode=episode,
            kind=AppointmentKind.ASSESSMENT,
            status=AppointmentStatus.ATTENDED,
            booked_at=max(start - timedelta(days=7), episode.started_at),
            attendance_recorded_at=start + timedelta(minutes=50),
        )
        outcomes_record(
            appointment_id=past.pk,
            answers={"PHQ-9": [2, 2, 2, 1, 2, 1, 1, 1, 0], "GAD-7": [2, 2, 1, 2, 1, 1, 1]},
            recorded_by=clinician.user,
        )
        # Scored in the session, not when the demo was seeded.
        past.outcomes.update(recorded_at=start + timedelta(minutes=45))
    if not episode.appointments.upcoming().exists():
        first_open = open_slots(clinician_id=clinician.pk).first()
        if first_open is not None:
            appointment_book(
                slot_id=first_open.pk,
                episode_id=episode.pk,
                booked_by=users.get(Role.HANDLER) or clinician.user,
                kind=AppointmentKind.TREATMENT,
            )
