"""Benchmark of the reporting facts on PostgreSQL at national scale and beyond.

    scripts/with_services.py -- .venv/bin/python -m reporting.benchmark --referrals 1000000

Creates a throwaway test database (never the configured one), fills it with synthetic
referrals spread over the last few years, with their needs, care episodes, slots,
appointments, PHQ-9/GAD-7 scores and callbacks, written in bulk with SQL. Then it times
`facts_refresh` for every month and each dashboard view (through the full Django stack,
signed in as a commissioner), prints the results as JSON and exits 1 if a target is missed:
any dashboard view under 300 ms, one month's refresh under 60 s.

The synthetic rows copy one template row of each table for their encrypted columns, so
they hold no real data and need no encryption per row.
"""

# The SQL here is built only from constants, column names and integer ids, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practitioner_health.settings_test")

DASHBOARD_TARGET_MS = 300.0
REFRESH_TARGET_S = 60.0
CLINICIANS = 300

REGIONS = (
    "ARRAY['london','south-east','south-west','east-of-england','midlands','north-east-and-yorkshire','north-west','']"
)
STAGES = (
    "ARRAY['gp','gp-trainee','consultant','sas','foundation','specialty-trainee','locally-employed',"
    "'general-dental','dental-specialist','dental-trainee','other']"
)
NEEDS = "ARRAY['stress','low-mood','anxiety','alcohol','drugs','gambling','eating','trauma','relationships','other']"
ELIGIBILITY = (
    "ARRAY['eligible','eligible','eligible','eligible','eligible','eligible','eligible','ineligible','needs_review','']"
)
REASONS = "ARRAY['completed','completed','completed','referred-on','declined','did-not-attend','moved-away','other']"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    _log(f"{label}: {time.perf_counter() - started:.1f}s")
    return result


def _columns(model: Any) -> list[str]:
    return [field.column for field in model._meta.concrete_fields if not field.primary_key]


def _clone_sql(model: Any, template_id: int, source: str, overrides: dict[str, str]) -> str:
    """INSERT ... SELECT: one row per row of `source` (aliased s), each column from the
    override expression or else from the template row (aliased t)."""
    table = model._meta.db_table
    columns = _columns(model)
    unknown = set(overrides) - set(columns)
    if unknown:
        raise ValueError(f"{table} has no columns {sorted(unknown)}")
    values = ", ".join(overrides.get(column, f't."{column}"') for column in columns)
    names = ", ".join(f'"{column}"' for column in columns)
    return (
        f"INSERT INTO {table} ({names}) SELECT {values} FROM ({source}) s "
        f"CROSS JOIN (SELECT * FROM {table} WHERE id = {int(template_id)}) t"
    )


def build(referrals: int, months: int) -> dict[str, int]:
    """Fill the database with `referrals` referrals over the last `months` months."""
    from django.db import connection
    from django.utils import timezone

    from clinicians.models import (
        Appointment,
        AppointmentKind,
        AppointmentStatus,
        CareEpisode,
        Clinician,
        OutcomeMeasure,
        Profession,
        Slot,
    )
    from practitioner_health.accounts.models import Role, User
    from referrals.models import Referral, ReferralNeed
    from reporting.periods import add_months, current_month, month_bounds
    from triage.models import Callback, CallbackAttempt

    long_ago = timezone.make_aware(datetime(2001, 1, 1, 10))
    staff = [
        User.objects.create_user(f"bench-clinician-{n}@example.invalid", None, role=Role.CLINICIAN)
        for n in range(CLINICIANS)
    ]
    clinicians = Clinician.objects.bulk_create(
        [Clinician(user=user, profession=Profession.CBT_THERAPIST) for user in staff]
    )
    clinician_ids = "ARRAY[" + ",".join(str(c.pk) for c in clinicians) + "]::bigint[]"
    recorder = clinicians[0].user_id

    referral = Referral.objects.create(
        reference="TEMPLATE",
        profession="doctor",
        register="GMC",
        registration_number="1234567",
        registration_index="bench-template",
        work_location="england",
        career_stage="gp",
        seen_where="away",
        name="Template Person",
        date_of_birth=date(1980, 1, 1),
        email="template@example.invalid",
        mobile="+447700900000",
        submitted_at=long_ago,
    )
    episode = CareEpisode.objects.create(referral=referral, clinician=clinicians[0], started_at=long_ago)
    slot = Slot.objects.create(clinician=clinicians[0], start=long_ago, end=long_ago + timedelta(minutes=50))
    appointment = Appointment.objects.create(slot=slot, episode=episode)
    outcome = OutcomeMeasure.objects.create(
        episode=episode, measure="PHQ-9", answers_json="[0,0,0,0,0,0,0,0,0]", total=0, band="", recorded_by_id=recorder
    )
    callback = Callback.objects.create(referral=referral, phone="+447700900000", reason="practitioner", due_at=long_ago)
    attempt = CallbackAttempt.objects.create(callback=callback, number=1, started_at=long_ago)

    first_month = add_months(current_month(), 1 - months)
    start, _ = month_bounds(first_month)
    span = (timezone.now() - timedelta(days=1) - start).total_seconds()
    now = timezone.now()

    with connection.cursor() as cursor:
        # Every statement is run with a parameter list, so a literal % is written %%.
        def run(label: str, sql: str, params: list[Any] | None = None) -> None:
            _timed(label, lambda: cursor.execute(sql, params or []))

        run(
            f"{referrals:,} referrals",
            _clone_sql(
                Referral,
                referral.pk,
                "SELECT g, %s::timestamptz + (%s * g / %s) * interval '1 second' AS submitted "
                "FROM generate_series(1::bigint, %s::bigint) g",
                {
                    "reference": "'B' || lpad(s.g::text, 10, '0')",
                    "registration_index": "'bench-' || s.g",
                    "channel": "(ARRAY['web','web','phone','app'])[1 + s.g %% 4]",
                    "status": "(ARRAY['new','contacted','assigned','discharged','closed'])[1 + s.g %% 5]",
                    "submitted_at": "s.submitted",
                    "first_contact_at": (
                        "CASE WHEN s.g %% 10 < 8 THEN LEAST(%s::timestamptz, s.submitted + "
                        "((s.g * 7919) %% 30) * interval '1 day' + interval '2 hours') END"
                    ),
                    # The closed fifth closed within 40 days, for one of the four reasons in turn.
                    "closed_at": (
                        "CASE WHEN s.g %% 5 = 4 THEN LEAST(%s::timestamptz, s.submitted + "
                        "((s.g * 4099) %% 40) * interval '1 day') END"
                    ),
                    "closed_reason": (
                        "CASE WHEN s.g %% 5 = 4 THEN "
                        "(ARRAY['ineligible','withdrawn','declined','not_reached'])[1 + (s.g / 5) %% 4] ELSE '' END"
                    ),
                    "profession": "CASE WHEN s.g %% 5 = 0 THEN 'dentist' ELSE 'doctor' END",
                    "career_stage": f"({STAGES})[1 + (s.g * 31) %% 11]",
                    "work_region": f"({REGIONS})[1 + (s.g * 17) %% 8]",
                    "eligibility": f"({ELIGIBILITY})[1 + (s.g * 13) %% 10]",
                },
            ),
            # Parameters in the order they appear: the overrides' (first contact, closed), then the source's.
            [now, now, start, span, referrals, referrals],
        )
        run(
            "needs",
            f"INSERT INTO referrals_referralneed (referral_id, need) "
            f"SELECT id, ({NEEDS})[1 + id %% 10] FROM referrals_referral WHERE reference LIKE 'B%%' "
            f"UNION ALL SELECT id, ({NEEDS})[1 + (id + 3) %% 10] FROM referrals_referral "
            f"WHERE reference LIKE 'B%%' AND id %% 3 = 0",
        )
        run(
            "care episodes",
            _clone_sql(
                CareEpisode,
                episode.pk,
                "SELECT id, submitted_at + interval '20 days' AS started, "
                "submitted_at + interval '20 days' + (6 + id %% 15) * interval '1 week' AS ended "
                "FROM referrals_referral WHERE reference LIKE 'B%%' AND eligibility = 'eligible' AND id %% 10 < 6",
                {
                    "referral_id": "s.id",
                    "clinician_id": f"({clinician_ids})[1 + s.id %% {CLINICIANS}]",
                    "started_at": "s.started",
                    "ended_at": "CASE WHEN s.ended < %s THEN s.ended END",
                    "discharge_reason": f"CASE WHEN s.ended < %s THEN ({REASONS})[1 + s.id %% 8] ELSE '' END",
                },
            ),
            [now, now],
        )
        # One assessment and four weekly treatment appointments per episode. A microsecond
        # offset keeps each clinician's slot times distinct.
        slot_columns = ", ".join(f'"{c}"' for c in _columns(Slot))
        appointment_columns = _columns(Appointment)
        appointment_values = {
            "slot_id": "ins.id",
            "episode_id": "src.episode_id",
            "kind": (f"CASE WHEN src.k = 0 THEN '{AppointmentKind.ASSESSMENT}' ELSE '{AppointmentKind.TREATMENT}' END"),
            "status": (
                f"CASE WHEN src.start > %s THEN '{AppointmentStatus.BOOKED}' "
                f"WHEN (src.episode_id + src.k) %% 11 = 0 THEN '{AppointmentStatus.DID_NOT_ATTEND}' "
                f"ELSE '{AppointmentStatus.ATTENDED}' END"
            ),
            "booked_at": "src.start - interval '7 days'",
        }
        run(
            "slots and appointments",
            f"""
            WITH src AS (
                SELECT e.id AS episode_id, e.clinician_id, k,
                       e.started_at + k * interval '1 week' + interval '1 day'
                       + (e.id * 5 + k) * interval '1 microsecond' AS start
                FROM clinicians_careepisode e CROSS JOIN generate_series(0, 4) k
                WHERE e.id <> {episode.pk}
            ), ins AS (
                INSERT INTO clinicians_slot ({slot_columns})
                SELECT {
                ", ".join(
                    {
                        "clinician_id": "clinician_id",
                        "start": "start",
                        "end": "start + interval '50 minutes'",
                        "site_id": "NULL",
                        "status": "'booked'",
                        "pattern_id": "NULL",
                        "leave_id": "NULL",
                    }[c]
                    for c in _columns(Slot)
                )
            }
                FROM src ON CONFLICT DO NOTHING RETURNING id, clinician_id, start
            )
            INSERT INTO clinicians_appointment ({", ".join(f'"{c}"' for c in appointment_columns)})
            SELECT {", ".join(appointment_values.get(c, f't."{c}"') for c in appointment_columns)}
            FROM ins JOIN src USING (clinician_id, start)
            CROSS JOIN (SELECT * FROM clinicians_appointment WHERE id = {appointment.pk}) t
            """,
            [now],
        )
        run(
            "PHQ-9 and GAD-7 scores",
            _clone_sql(
                OutcomeMeasure,
                outcome.pk,
                "SELECT a.id, a.episode_id, s.start, m.measure FROM clinicians_appointment a "
                "JOIN clinicians_slot s ON s.id = a.slot_id CROSS JOIN (VALUES ('PHQ-9'), ('GAD-7')) m(measure) "
                f"WHERE a.status = 'attended' AND a.id <> {appointment.pk}",
                {
                    "episode_id": "s.episode_id",
                    "appointment_id": "s.id",
                    "measure": "s.measure",
                    "total": "CASE WHEN s.measure = 'PHQ-9' THEN (s.id * 7) %% 28 ELSE (s.id * 5) %% 22 END",
                    "recorded_at": "s.start",
                },
            ),
        )
        run(
            "callbacks",
            _clone_sql(
                Callback,
                callback.pk,
                "SELECT id, submitted_at + interval '1 day' AS due FROM referrals_referral "
                "WHERE reference LIKE 'B%%' AND id %% 10 = 3",
                {"referral_id": "s.id", "due_at": "s.due", "created_at": "s.due", "status": "'completed'"},
            ),
        )
        run(
            "callback attempts",
            _clone_sql(
                CallbackAttempt,
                attempt.pk,
                "SELECT c.id, c.due_at, n FROM triage_callback c CROSS JOIN generate_series(1, 3) n "
                f"WHERE c.id <> {callback.pk} AND n <= 1 + c.id %% 3",
                {
                    "callback_id": "s.id",
                    "number": "s.n",
                    "token": "md5(s.id::text || '-' || s.n::text)",
                    "started_at": "s.due_at + s.n * interval '20 minutes'",
                    "outcome": "CASE WHEN s.n = 1 + s.id %% 3 AND s.id %% 4 <> 0 THEN 'answered' ELSE 'no_answer' END",
                },
            ),
        )
        cursor.execute("DELETE FROM triage_callbackattempt WHERE id = %s", [attempt.pk])
        cursor.execute("DELETE FROM triage_callback WHERE id = %s", [callback.pk])
        cursor.execute("DELETE FROM clinicians_outcomemeasure WHERE id = %s", [outcome.pk])
        cursor.execute("DELETE FROM clinicians_appointment WHERE id = %s", [appointment.pk])
        cursor.execute("DELETE FROM clinicians_slot WHERE id = %s", [slot.pk])
        cursor.execute("DELETE FROM clinicians_careepisode WHERE id = %s", [episode.pk])
        cursor.execute("DELETE FROM referrals_referral WHERE id = %s", [referral.pk])
        _timed("VACUUM ANALYZE", lambda: cursor.execute("VACUUM ANALYZE"))

    return {
        "referrals": Referral.objects.count(),
        "needs": ReferralNeed.objects.count(),
        "episodes": CareEpisode.objects.count(),
        "appointments": Appointment.objects.count(),
        "scores": OutcomeMeasure.objects.count(),
        "callbacks": Callback.objects.count(),
        "callback_attempts": CallbackAttempt.objects.count(),
    }


def _commissioner_client() -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from practitioner_health.accounts.models import Authenticator, Role, User

    user = User.objects.create_user("bench-commissioner@example.invalid", "bench-password-1234", role=Role.COMMISSIONER)
    device = Authenticator.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(repeats: int) -> dict[str, Any]:
    from reporting.models import ReferralFact
    from reporting.periods import add_months, current_month, financial_year_of
    from reporting.services import facts_refresh, months_with_data

    refresh_seconds = {}
    for month in months_with_data():
        started = time.perf_counter()
        facts_refresh(month=month)
        refresh_seconds[f"{month:%Y-%m}"] = round(time.perf_counter() - started, 2)
        _log(f"refresh {month:%Y-%m}: {refresh_seconds[f'{month:%Y-%m}']:.2f}s")

    this_month = current_month()
    last_month = add_months(this_month, -1)
    first = min(months_with_data())
    year = financial_year_of(this_month)
    views = {
        "national, this financial year": f"/reporting/?period=year-{year}",
        "national, last month": f"/reporting/?period=month-{last_month:%Y-%m}",
        "London, last quarter": f"/reporting/?period=quarter-{year}-q1&region=london",
        "all filters, last month": (
            f"/reporting/?period=month-{last_month:%Y-%m}&region=midlands&profession=doctor&career_stage=gp"
        ),
        "all filters, every month (custom range)": (
            f"/reporting/?period=custom&start={first:%Y-%m}&end={this_month:%Y-%m}"
            "&region=not-known&profession=dentist&career_stage=general-dental"
        ),
        "national, every month (custom range)": f"/reporting/?period=custom&start={first:%Y-%m}&end={this_month:%Y-%m}",
        "CSV export, national financial year": f"/reporting/export.csv?period=year-{year}",
        "CSV export, all filters, every month": (
            f"/reporting/export.csv?period=custom&start={first:%Y-%m}&end={this_month:%Y-%m}"
            "&region=london&profession=doctor&career_stage=consultant"
        ),
        "bad filters (error summary)": "/reporting/?period=nonsense&region=atlantis",
    }
    client = _commissioner_client()
    timings = {}
    for label, url in views.items():
        client.get(url)  # warm-up: the first request compiles templates
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        samples.sort()
        timings[label] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 1),
            "max_ms": round(samples[-1], 1),
        }
        _log(f"{label}: {timings[label]}")
    return {
        "fact_rows": {"referral_facts": ReferralFact.objects.count()},
        "refresh_seconds_per_month": refresh_seconds,
        "refresh_slowest_month_s": max(refresh_seconds.values()),
        "refresh_median_month_s": statistics.median(refresh_seconds.values()),
        "dashboard": timings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=36, help="spread the referrals over this many months")
    parser.add_argument("--repeats", type=int, default=20, help="requests per dashboard view")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("The benchmark runs on PostgreSQL: use scripts/with_services.py")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        counts = _timed("build", lambda: build(args.referrals, args.months))
        results = {"rows": counts, **measure(args.repeats)}
    finally:
        teardown_databases(databases, verbosity=0)
    slowest_view = max(timing["p95_ms"] for timing in results["dashboard"].values())
    results["targets"] = {
        "dashboard_p95_under_ms": DASHBOARD_TARGET_MS,
        "dashboard_slowest_p95_ms": slowest_view,
        "refresh_month_under_s": REFRESH_TARGET_S,
        "met": slowest_view < DASHBOARD_TARGET_MS and results["refresh_slowest_month_s"] < REFRESH_TARGET_S,
    }
    print(json.dumps(results, indent=2))
    return 0 if results["targets"]["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
