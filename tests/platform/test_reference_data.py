"""The reference data the migrations load is there for every test, transactional ones included.

Each of these tests ends by emptying every table (as browser and Celery tests do); whichever
runs second on a worker would find no regions, signposts, articles or bank holidays if
tests/conftest.py did not put them back.
"""

from __future__ import annotations

import pytest

from clinicians.models import Region, Service
from selfhelp.models import Article, SignpostingEntry
from triage.models import BankHoliday

pytestmark = pytest.mark.django_db(transaction=True)


def _assert_reference_data() -> None:
    for model in (Region, Service, SignpostingEntry, Article, BankHoliday):
        assert model.objects.exists(), f"{model.__name__} rows are missing"


@pytest.mark.parametrize("turn", [1, 2, 3])
def test_reference_data_survives_the_transactional_tests_before(turn: int) -> None:
    _assert_reference_data()


def test_reference_data_is_there_for_a_live_server(live_server) -> None:  # type: ignore[no-untyped-def]
    _assert_reference_data()
