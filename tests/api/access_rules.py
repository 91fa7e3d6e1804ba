"""The API answers session-signed-in browsers as strangers: it only accepts bearer tokens.

So every role gets the same status on a plain GET: public reads 200, POST-only addresses
405, and the practitioner's own addresses 401 (no token). Token access, object checks and
the practitioner-only rule are tested in tests/api/test_*.py.
"""

from tests.access import PUBLIC, everyone

NEEDS_TOKEN = everyone(401)

RULES = {
    "api:schema": PUBLIC,
    "api:sign_in": everyone(405),
    "api:verify": everyone(405),
    "api:sign_out": NEEDS_TOKEN,
    "api:sign_out_everywhere": NEEDS_TOKEN,
    "api:articles": PUBLIC,
    # Without a search query: the missing parameter is a validation error.
    "api:article_search": everyone(422),
    "api:article": PUBLIC,
    "api:directory": PUBLIC,
    "api:questionnaires": PUBLIC,
    "api:questionnaire": PUBLIC,
    "api:questionnaire_score": everyone(405),
    "api:crisis": PUBLIC,
    "api:referral_submit": everyone(405),
    "api:my_referral": NEEDS_TOKEN,
    "api:my_referral_stop": NEEDS_TOKEN,
    "api:my_contact": NEEDS_TOKEN,
    "api:my_people": NEEDS_TOKEN,
    "api:my_results": NEEDS_TOKEN,
    "api:my_result": NEEDS_TOKEN,
    "api:my_access": NEEDS_TOKEN,
    "api:my_appointments": NEEDS_TOKEN,
    "api:my_open_slots": NEEDS_TOKEN,
    "api:my_appointment": NEEDS_TOKEN,
    "api:my_reschedule": NEEDS_TOKEN,
    "api:my_cancel": NEEDS_TOKEN,
    "api:my_calendar": NEEDS_TOKEN,
    "api:my_callback": NEEDS_TOKEN,
    "api:not_found": everyone(404),
}


def _article(personas: dict) -> dict:
    from tests.selfhelp.factories import ArticleFactory

    return {"slug": ArticleFactory(published=True).slug}


def _saved_result(personas: dict) -> dict:
    from tests.selfhelp.factories import SavedResultFactory

    return {"pk": SavedResultFactory(user=personas["practitioner"]).pk}


def _appointment(personas: dict) -> dict:
    from tests.clinicians.factories import booked, episode_for

    return {"pk": booked(episode_for(personas["practitioner"], personas["clinician"])).pk}


KWARGS = {
    "api:article": _article,
    "api:questionnaire": lambda personas: {"slug": "phq-9"},
    "api:questionnaire_score": lambda personas: {"slug": "phq-9"},
    "api:my_result": _saved_result,
    "api:my_appointment": _appointment,
    "api:my_reschedule": _appointment,
    "api:my_cancel": _appointment,
    "api:my_calendar": _appointment,
}
