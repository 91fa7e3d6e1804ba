"""After a scripted run of every flow, no known personal value is readable anywhere it should
not be: not in any column of any table (read with raw SQL), not in any session, not in the
logs (the application's, and the line the web server writes for each request).

The run: a self-referral through the public pages; a handler's call log and triage; matching
and assignment; booking; a session note; PHQ-9 and GAD-7 scores; the messages it all queued,
sent through the real Twilio client to the fake; and each role's pages, including the
commissioner's dashboard and CSV export after the reporting facts are refreshed.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.signals import request_started
from django.db import connection
from django.test import Client

from clinicians.services import appointment_book
from clinicians.services.care import outcomes_record, session_note_add
from practitioner_health.accounts.models import Role
from practitioner_health.notifications.models import Notification, Status
from practitioner_health.notifications.services import notification_send
from referrals.flow import STEPS
from referrals.models import Referral
from reporting.services import facts_refresh_all
from tests.clinicians.factories import ClinicianFactory, SlotFactory
from tests.conftest import verified_client
from tests.factories import UserFactory
from tests.security.test_access_log import access_line
from triage.matching import rank
from triage.services.assign import referral_assign
from triage.services.helpline import call_log_record, triage_assessment_record

NAME = "Dr Quillon Fairweather"
EMAIL = "quillon.fairweather@example.org"
MOBILE = "07700 900 982"
REGISTRATION = "7391846"
EMPLOYER = "Brackenfield Infirmary"
PEOPLE_KNOWN = "Dr Ottoline Marchbanks"
BEST_TIMES = "after the zumba class"
CALL_NOTE = "sounded exhausted by the gargoyle rota"
TRIAGE_NOTE = "worried about the periwinkle audit"
SESSION_NOTE = "talked through the sycamore incident"

# Each value as it might be stored or logged: as typed, and normalised.
SECRETS = [
    "Quillon",
    "Fairweather",
    EMAIL,
    "07700900982",
    "+447700900982",
    "7700 900 982",
    REGISTRATION,
    "Brackenfield",
    "Ottoline",
    "Marchbanks",
    "zumba",
    "gargoyle",
    "periwinkle",
    "sycamore",
    "1979-02-14",
]

ANSWERS = {
    "self": {"is_self": "yes"},
    "profession": {"profession": "doctor"},
    "registration": {"number": REGISTRATION},
    "work-location": {"work_location": "england"},
    "role": {"career_stage": "consultant", "career_stage_other": ""},
    "workplace": {"work_region": "north-west", "employer": EMPLOYER},
    "seen-where": {"seen_where": "london"},
    "needs": {"needs": ["stress", "alcohol"], "needs_other": ""},
    "safety": {"self_harm": "no"},
    "name": {"name": NAME, "preferred_name": ""},
    "date-of-birth": {"dob_day": "14", "dob_month": "2", "dob_year": "1979"},
    "contact": {"email": EMAIL, "mobile": MOBILE},
    "contact-preferences": {"voicemail_ok": "no", "texts_ok": "yes", "best_times": BEST_TIMES},
    "people-known": {"people_known": PEOPLE_KNOWN},
    "heard-about": {"heard_about": "colleague"},
}


def found_in(text: str) -> list[str]:
    lowered = text.casefold()
    return [value for value in SECRETS if value.casefold() in lowered]


def refer() -> Referral:
    """The whole web form, as the person fills it in."""
    web = Client()
    for step in STEPS:
        assert web.post(f"/refer/{step.slug}/", ANSWERS[step.slug]).status_code == 302, step.slug
    page = web.get("/refer/check-your-answers/")
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode())
    assert token
    assert web.post("/refer/check-your-answers/", {"token": token.group(1)}).status_code == 302
    confirmation = web.get("/refer/confirmation/")
    reference = re.search(rb"<strong>(PH-[A-Z0-9-]+)</strong>", confirmation.content).group(1).decode()
    return Referral.objects.get(reference=reference)


def every_flow(fake_twilio) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    handler = UserFactory(role=Role.HANDLER)
    helpline = verified_client(handler)
    # The helpline cannot reach them and closes the referral (an email says so); they refer again.
    first = refer()
    assert helpline.post(f"/helpline/referral/{first.pk}/close/", {"reason": "not_reached"}).status_code == 302
    assert Notification.objects.filter(template="referral_not_reached").exists()
    cache.clear()  # the form's rate limit: the same person, from the same address, again
    referral = refer()
    assert referral.pk != first.pk

    assert helpline.get("/helpline/").status_code == 200
    # The handler finds them by the registration number they gave.
    found = helpline.post("/helpline/", {"q": REGISTRATION})
    assert f'href="/helpline/referral/{referral.pk}/"' in found.content.decode()
    assert helpline.get(f"/helpline/referral/{referral.pk}/").status_code == 200
    call_log_record(
        handler=handler, referral=referral, direction="outbound", channel="phone", outcome="answered", notes=CALL_NOTE
    )
    assessment = triage_assessment_record(
        referral=referral,
        assessed_by=handler,
        risk_level="low",
        needs=["assessment"],
        urgency="routine",
        pathway="therapy",
        notes=TRIAGE_NOTE,
    )
    clinician = ClinicianFactory()
    slot = SlotFactory(clinician=clinician)
    rank(referral, assessment)
    assert helpline.get(f"/helpline/referral/{referral.pk}/match/").status_code == 200
    episode = referral_assign(referral=referral, clinician_id=clinician.pk, handler=handler)
    appointment = appointment_book(slot_id=slot.pk, episode_id=episode.pk, booked_by=handler)
    # Notes and scores are written once the session has started.
    with time_machine.travel(slot.start + timedelta(minutes=5), tick=False):
        session_note_add(episode_id=episode.pk, author=clinician.user, body=SESSION_NOTE, appointment_id=appointment.pk)
        outcomes_record(
            appointment_id=appointment.pk, answers={"PHQ-9": [1] * 9, "GAD-7": [2] * 7}, recorded_by=clinician.user
        )

    own = verified_client(clinician.user)
    for url in ("/clinician/", f"/clinician/patients/{episode.pk}/", f"/clinician/patients/{episode.pk}/notes/"):
        assert own.get(url).status_code == 200, url

    for notification in Notification.objects.filter(status=Status.PENDING):
        notification_send(notification_id=notification.pk)
    assert fake_twilio.messages(), "the flows queued texts and they were sent"
    assert mail.outbox, "the flows queued emails and they were sent"

    facts_refresh_all()
    commissioner = verified_client(UserFactory(role=Role.COMMISSIONER))
    assert commissioner.get("/reporting/").status_code == 200
    assert commissioner.get("/reporting/export.csv").status_code == 200


@pytest.mark.django_db
def test_no_personal_value_is_readable_in_any_table_session_or_log(fake_twilio, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    requests: list[dict] = []

    def seen(sender, environ, **kwargs) -> None:  # type: ignore[no-untyped-def]
        requests.append(dict(environ))

    request_started.connect(seen)
    try:
        every_flow(fake_twilio)
    finally:
        request_started.disconnect(seen)

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        leaks: dict[str, list[str]] = {}
        rows_read = 0
        for table in tables:
            # The whole row as text: every column, whatever its type.
            cursor.execute(f'SELECT t::text FROM "{table}" t')
            for (row,) in cursor.fetchall():
                rows_read += 1
                if hits := found_in(row):
                    leaks.setdefault(table, []).extend(hits)
    assert rows_read > 100
    assert not leaks, f"Personal values readable in plain text: {leaks}"

    # Sessions are signed, not encrypted: read them as the server would.
    for row in Session.objects.all():
        decoded = json.dumps(SessionStore().decode(row.session_data))
        assert not found_in(decoded), f"session {row.pk[:6]}... holds {found_in(decoded)}"

    logged = "\n".join(f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records)
    assert caplog.records, "the run logged something"
    assert not found_in(logged), f"Personal values in the logs: {found_in(logged)}"

    # The web server's access log: the line gunicorn, as configured, writes for each request.
    assert len(requests) > 20
    access_log = "\n".join(access_line(environ) for environ in requests)
    assert not found_in(access_log), f"Personal values in the access log: {found_in(access_log)}"

    # The values did go where they should: into encrypted columns that decrypt back.
    referral = Referral.objects.latest("pk")
    assert (referral.name, referral.email, referral.registration_number) == (NAME, EMAIL, REGISTRATION)
