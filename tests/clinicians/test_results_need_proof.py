"""A clinician never sees one person's saved results on a record someone else created.

Saved questionnaire results belong to an account. They show on a patient record only when
the referral is linked to that account by proof: its emailed link was followed, or it was
sent signed in. Typing someone's email into the self-referral is not proof.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from practitioner_health.audit.models import AuditEvent
from referrals.models import Referral
from selfhelp.models import SavedResult
from tests.referrals.conftest import answers, fill_in, send

from .factories import EpisodeFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _saved_result(user) -> None:  # type: ignore[no-untyped-def]
    SavedResult.objects.create(user=user, measure="GAD-7", total=11, band="moderate", answers_json="[2,2,2,2,1,1,1]")


def test_a_stranger_typing_a_practitioners_email_never_shows_their_clinician_the_practitioners_results(
    client_for, clinician_profile, clinician, practitioner
) -> None:
    _saved_result(practitioner)
    cache.clear()
    stranger = Client()
    fill_in(stranger, answers(contact={"email": practitioner.email, "mobile": "07700 900 417"}))
    assert send(stranger).status_code == 302
    episode = EpisodeFactory(referral=Referral.objects.get(), clinician=clinician_profile)

    page = client_for(clinician).get(reverse("clinicians:patient", args=[episode.pk])).content.decode()

    assert "11 (moderate)" not in page
    assert not AuditEvent.objects.filter(detail="self-help results").exists()


def test_a_referral_joined_to_an_account_without_proof_shows_no_results(
    client_for, clinician_profile, clinician, practitioner
) -> None:
    """Referrals joined by a typed email alone, before links needed proof, keep no claim on the account."""
    _saved_result(practitioner)
    unproved = EpisodeFactory(
        referral=ReferralFactory(in_care=True, user=practitioner, linked_at=None), clinician=clinician_profile
    )
    page = client_for(clinician).get(reverse("clinicians:patient", args=[unproved.pk])).content.decode()
    assert "11 (moderate)" not in page

    Referral.objects.filter(pk=unproved.referral_id).update(linked_at=unproved.referral.submitted_at)
    page = client_for(clinician).get(reverse("clinicians:patient", args=[unproved.pk])).content.decode()
    assert "11 (moderate)" in page
