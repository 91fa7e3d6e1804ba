"""Demo data for self-help: two saved results for the demo practitioner, so "Your saved
results" and the clinician's view of them have something to show. Idempotent.

Articles and the signposting directory come from the app's migrations, not from here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from practitioner_health.accounts.models import Role
from selfhelp.models import SavedResult
from selfhelp.questionnaires import score

# (measure, answers, days ago): an improving PHQ-9 over a month.
DEMO_RESULTS = (
    ("PHQ-9", [2, 2, 2, 1, 1, 1, 1, 0, 0], 28),
    ("PHQ-9", [1, 1, 1, 1, 0, 1, 0, 0, 0], 3),
)


def seed(users: dict[Any, Any]) -> None:
    practitioner = users.get(Role.PRACTITIONER)
    if practitioner is None or SavedResult.objects.filter(user=practitioner).exists():
        return
    now = timezone.now()
    for code, answers, days_ago in DEMO_RESULTS:
        result = score(code, answers)
        # Created directly rather than through saved_result_create: nobody saved or viewed
        # these, so there is nothing to audit.
        saved = SavedResult(
            user=practitioner,
            measure=code,
            total=result.total,
            band=result.band,
            urgent=result.urgent,
            created_at=now - timedelta(days=days_ago),
        )
        saved.answers = answers
        saved.save()
