"""List pages run a fixed number of queries however many rows they show."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinicians.models import Appointment, AppointmentStatus, CareEpisode, OutcomeMeasure, Slot, SlotStatus
from clinicians.selectors import caseload_rows, week_start
from tests.factories import ReferralFactory

from .factories import EpisodeFactory, SiteFactory, SlotFactory, booked, in_days

pytestmark = pytest.mark.django_db

_sequence = itertools.count()


def _caseload_of(clinician, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` episodes, each with an upcoming appointment and two of each score."""
    for _ in range(count):
        n = next(_sequence)
        episode = EpisodeFactory(
            referral=ReferralFactory(in_care=True, user=None, urgent=n % 7 == 0), clinician=clinician
        )
        appointment = booked(episode, start=in_days(2 + n // 8, 9 + n % 8))
        for code, first, latest in (("PHQ-9", 18, 9), ("GAD-7", 14, 7)):
            for total, days_ago in ((first, 20), (latest, 2)):
                OutcomeMeasure.objects.create(
                    episode=episode,
                    appointment=appointment if days_ago == 2 else None,
                    measure=code,
                    answers_json=json.dumps([]),
                    total=total,
                    band="moderate",
                    recorded_at=timezone.now() - timedelta(days=days_ago),
                    recorded_by=clinician.user,
                )


def _queries(client, url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_caseload_with_200_episodes_runs_as_few_queries_as_with_3(
    client_for, clinician_profile, django_assert_max_num_queries
) -> None:
    client = client_for(clinician_profile.user)
    url = reverse("clinicians:home")
    _caseload_of(clinician_profile, 3)
    client.get(url)  # the first request after signing in also settles the session
    few, _ = _queries(client, url)

    _caseload_of(clinician_profile, 197)
    with django_assert_max_num_queries(12):
        many, page = _queries(client, url)

    assert many == few
    assert page.count("down 9") == 200  # PHQ-9 18 -> 9 for everyone: the data really is on the page
    assert "200 people in your care" in page


def test_the_diary_with_a_full_week_runs_as_few_queries_as_with_one_slot(
    client_for, clinician_profile, django_assert_max_num_queries
) -> None:
    client = client_for(clinician_profile.user)
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    url = reverse("clinicians:diary") + f"?week={monday:%Y-%m-%d}"
    site = SiteFactory()
    SlotFactory(clinician=clinician_profile, start=in_days((monday - timezone.localdate()).days, 8))
    client.get(url)  # the first request after signing in also settles the session
    few, _ = _queries(client, url)

    for day in range(7):
        for hour in range(9, 18):
            start = in_days((monday - timezone.localdate()).days + day, hour)
            if hour % 2:
                episode = EpisodeFactory(referral=ReferralFactory(in_care=True, user=None), clinician=clinician_profile)
                booked(episode, start=start, site=site if day % 2 else None)
            else:
                SlotFactory(clinician=clinician_profile, start=start, site=site)
    with django_assert_max_num_queries(10):
        many, page = _queries(client, url)

    assert many == few
    assert Slot.objects.filter(clinician=clinician_profile).count() == 64
    assert page.count("(treatment, booked)") == Appointment.objects.filter(status=AppointmentStatus.BOOKED).count()
    assert page.count(">Open<") == Slot.objects.filter(status=SlotStatus.OPEN).count()


def test_the_helpline_booking_list_and_my_appointments_stay_flat(
    client_for, handler, practitioner, clinician_profile, django_assert_max_num_queries
) -> None:
    helpline, own = client_for(handler), client_for(practitioner)
    _caseload_of(clinician_profile, 3)
    helpline.get(reverse("clinicians:booking_index"))
    few, _ = _queries(helpline, reverse("clinicians:booking_index"))
    _caseload_of(clinician_profile, 60)
    with django_assert_max_num_queries(10):
        many, _ = _queries(helpline, reverse("clinicians:booking_index"))
    assert many == few

    episode = EpisodeFactory(referral=ReferralFactory(in_care=True, user=practitioner), clinician=clinician_profile)
    for n in range(3):
        booked(episode, start=in_days(-10 - n, 10), status=AppointmentStatus.ATTENDED)
    own.get(reverse("clinicians:my_appointments"))
    few, _ = _queries(own, reverse("clinicians:my_appointments"))
    for n in range(30):
        booked(episode, start=in_days(-20 - n, 10), status=AppointmentStatus.ATTENDED)
    booked(episode, start=in_days(6, 18))  # after the caseload's slots (9am to 4pm), so never the same time
    with django_assert_max_num_queries(12):
        many, _ = _queries(own, reverse("clinicians:my_appointments"))
    assert many <= few + 1  # at most the one query for the upcoming appointment's questionnaires


def test_the_caseload_reads_names_but_never_contact_details_or_dates_of_birth(clinician_profile) -> None:
    """Each encrypted column read is a decryption (and a needless copy of personal data in
    memory): the caseload shows names and references, so it reads nothing else."""
    _caseload_of(clinician_profile, 3)

    with CaptureQueriesContext(connection) as queries:
        rows = caseload_rows(clinician_id=clinician_profile.pk)

    assert len(rows) == 3
    names = {episode.referral.name for episode in CareEpisode.objects.filter(clinician=clinician_profile)}
    assert {row.name for row in rows} == names  # decrypted, as the page shows them
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert '"referrals_referral"."name"' in read
    for column in ("email", "mobile", "date_of_birth", "people_known", "registration_number", "best_times"):
        assert f'"referrals_referral"."{column}"' not in read, column
