from __future__ import annotations

import pytest

from demo import seed_selfhelp
from practitioner_health.accounts.models import Role
from selfhelp.selectors import saved_results_for

pytestmark = pytest.mark.django_db


def test_the_demo_practitioner_gets_two_saved_results_once(practitioner) -> None:  # type: ignore[no-untyped-def]
    seed_selfhelp.seed({Role.PRACTITIONER: practitioner})
    seed_selfhelp.seed({Role.PRACTITIONER: practitioner})

    results = list(saved_results_for(practitioner.pk))
    assert [(r.measure, r.total, r.band) for r in results] == [("PHQ-9", 5, "mild"), ("PHQ-9", 10, "moderate")]
