"""`make bench`: seed data at several sizes on a throwaway PostgreSQL, time each benchmark
against a floor measured in the same run, print a table and write bench/results.json.

    scripts/with_services.py -- .venv/bin/python -m bench.run [--small] [--out PATH]

Everything runs in databases this script creates on the server in DATABASE_URL (and drops
afterwards), never in the configured database. HTTP load comes from this process (bench/load.py)
to gunicorn on 127.0.0.1, started per dataset with bench.settings (DEBUG off).

The floor for page timings is /healthz: a bare Django view returning "ok" under the same
gunicorn and the full middleware stack. The floor for the commissioner dashboard is a
hand-written SQL GROUP BY over the same referrals. `--small` runs every benchmark with tiny
sizes and no targets, so `make test` keeps this code working.
"""

# The SQL here is built only from constants, column names and integer ids, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sizes:
    clients: int
    requests_per_client: int
    page_clients: int
    page_requests_per_client: int
    max_seconds: float
    caseload: int
    handler_referrals: int
    dashboard_referrals: tuple[int, ...]
    dashboard_repeats: int
    clinicians: tuple[int, ...]
    reminders: int
    booking_attempts: int
    # The floor and the self-referral loads run this many times in turn (see bench_pages).
    rounds: int


FULL = Sizes(
    clients=20,
    requests_per_client=50,
    page_clients=4,
    page_requests_per_client=50,
    max_seconds=60,
    caseload=200,
    handler_referrals=500,
    dashboard_referrals=(10_000, 100_000, 1_000_000),
    dashboard_repeats=30,
    clinicians=(1_000, 10_000),
    reminders=100_000,
    booking_attempts=100,
    rounds=3,
)
SMALL = Sizes(
    clients=3,
    requests_per_client=3,
    page_clients=2,
    page_requests_per_client=3,
    max_seconds=30,
    caseload=5,
    handler_referrals=10,
    dashboard_referrals=(50,),
    dashboard_repeats=3,
    clinicians=(20,),
    reminders=20,
    booking_attempts=5,
    rounds=2,
)

# Requests per client before timing starts: a gunicorn worker's first request of a page
# compiles its templates and resolves its URLs, which is start-up cost, not page cost.
WARM_UP_REQUESTS = 5

# The targets from issue 8: (what, comparison, value).
TARGETS = {
    "question_rps_of_floor": 0.40,
    "submit_rps_of_floor": 0.20,
    "referral_p95_ms": 150.0,
    "page_p95_ms": 100.0,
    "dashboard_1m_ms": 300.0,
    "dashboard_of_floor": 2.0,
    "matching_10k_ms": 50.0,
    "reminders_100k_s": 60.0,
}

# One complete, valid self-referral, as a person would type it into each page.
ANSWERS: dict[str, dict[str, Any]] = {
    "self": {"is_self": "yes"},
    "profession": {"profession": "doctor"},
    "registration": {"number": "7294613"},
    "work-location": {"work_location": "england"},
    "role": {"career_stage": "consultant", "career_stage_other": ""},
    "workplace": {"work_region": "north-west", "employer": "Mersey Hospitals NHS Trust"},
    "seen-where": {"seen_where": "london"},
    "needs": {"needs": ["stress", "alcohol"], "needs_other": ""},
    "safety": {"self_harm": "no"},
    "name": {"name": "Dr Bench Person", "preferred_name": ""},
    "date-of-birth": {"dob_day": "14", "dob_month": "2", "dob_year": "1979"},
    "contact": {"email": "bench@example.invalid", "mobile": "07700 900 417"},
    "contact-preferences": {"voicemail_ok": "no", "texts_ok": "yes", "best_times": ""},
    "people-known": {"people_known": ""},
    "heard-about": {"heard_about": "colleague"},
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- databases ------------------------------------------------------------------------------------


class Databases:
    """Databases created on the server in DATABASE_URL, by name, and dropped at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.created: list[str] = []
        self.prefix = f"bench_{os.getpid()}"

    def url_for(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))

    def _admin(self, sql: str) -> None:
        import psycopg2

        parts = urlsplit(self.url)
        conn = psycopg2.connect(
            host=parts.hostname, port=parts.port, user=parts.username or "postgres", dbname="postgres"
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    def create(self, suffix: str, template: str | None = None) -> str:
        name = f"{self.prefix}_{suffix}"
        self._admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)
        return name

    def drop_all(self) -> None:
        for name in reversed(self.created):
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


def use_database(name: str) -> None:
    """Point this process's Django connection at database `name`."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = name


# -- gunicorn -------------------------------------------------------------------------------------


@contextmanager
def gunicorn(database_url: str, workers: int) -> Iterator[str]:
    from tests.support.services import free_port, wait_for_port

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        # Whitenoise warns in every worker that collectstatic has not run; static files are not benchmarked.
        "PYTHONWARNINGS": "ignore::UserWarning",
    }
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "practitioner_health.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(port, timeout=30)
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(base: str) -> None:
    import http.client

    from tests.support.celery_worker import wait_until

    parts = urlsplit(base)

    def answers() -> bool:
        try:
            conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False

    wait_until(answers, timeout=30, interval=0.1)


# -- sessions and requests ------------------------------------------------------------------------


def signed_in_cookie(user: Any) -> str:
    """A session cookie for `user`, signed in and past the second factor, as a real session would be."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from practitioner_health.accounts.models import Authenticator

    device = Authenticator.objects.filter(user=user, confirmed=True).first() or Authenticator.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def answers_for(n: int) -> dict[str, dict[str, Any]]:
    answers = {slug: dict(data) for slug, data in ANSWERS.items()}
    answers["registration"]["number"] = f"{7_000_000 + n}"
    answers["contact"]["email"] = f"bench{n}@example.invalid"
    return answers


def referral_session(n: int, *, with_token: bool) -> tuple[str, str | None]:
    """An anonymous session holding a whole journey's answers, saved as the question pages save them.

    Returns (cookie, submission token).
    """
    from importlib import import_module

    from django.conf import settings

    from referrals.flow import WEB, Journey

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    journey = Journey.replay(answers_for(n), WEB)
    token = journey.new_token() if with_token else None
    journey.save(store, WEB)
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}", token


def post(path: str, cookie: str, data: dict[str, Any]) -> Any:
    from django.conf import settings

    from bench.load import Request

    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    body = urlencode({**data, "csrfmiddlewaretoken": csrf}, doseq=True).encode()
    return Request(
        "POST",
        path,
        body,
        {
            "Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


def get(path: str, cookie: str = "") -> Any:
    from bench.load import Request

    return Request("GET", path, None, {"Cookie": cookie} if cookie else {})


class LoadShape(TypedDict):
    """How many clients, and requests per client, a load run uses."""

    clients: int
    per_client: int
    sizes: Sizes


def load(base: str, make: Callable[[int, int], Any], *, clients: int, per_client: int, sizes: Sizes) -> dict[str, Any]:
    from bench.load import run_load

    # Warm-up: enough requests that every gunicorn worker has served this page before timing.
    run_load(base, make, clients=clients, requests_per_client=WARM_UP_REQUESTS, max_seconds=sizes.max_seconds)
    result = run_load(
        base,
        make,
        clients=clients,
        requests_per_client=per_client,
        max_seconds=sizes.max_seconds,
        expect=lambda status: status in (200, 302),
    )
    return {"clients": clients, **result.summary()}


def sequential(base: str, request: Any, repeats: int) -> dict[str, Any]:
    from bench.load import run_load

    run_load(base, lambda i, n: request, clients=1, requests_per_client=WARM_UP_REQUESTS * 4, max_seconds=60)
    result = run_load(base, lambda i, n: request, clients=1, requests_per_client=repeats, max_seconds=120)
    return {"clients": 1, **result.summary()}


# -- seeding --------------------------------------------------------------------------------------


def seed_people() -> dict[str, Any]:
    from clinicians.models import CareEpisode, Clinician, Profession
    from practitioner_health.accounts.models import Role, User
    from referrals.models import Referral

    users = {
        role: User.objects.create_user(f"bench-{role}@example.invalid", None, role=role, full_name=f"Bench {role}")
        for role in (Role.HANDLER, Role.CLINICIAN, Role.COMMISSIONER)
    }
    clinician = Clinician.objects.create(user=users[Role.CLINICIAN], profession=Profession.CBT_THERAPIST)
    return {"users": users, "clinician": clinician, "Referral": Referral, "CareEpisode": CareEpisode}


def caseload_assign(clinician_id: int, count: int) -> int:
    """Give one clinician `count` active episodes (taken over from the synthetic ones)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clinicians_careepisode SET clinician_id = %s, ended_at = NULL, discharge_reason = '' "
            "WHERE id IN (SELECT id FROM clinicians_careepisode ORDER BY id DESC LIMIT %s)",
            [clinician_id, count],
        )
        return cursor.rowcount


def facts_refresh_everything() -> float:
    from reporting.services import facts_refresh, months_with_data

    started = time.perf_counter()
    for month in months_with_data():
        facts_refresh(month=month)
    return time.perf_counter() - started


# -- benchmarks -----------------------------------------------------------------------------------


def bench_pages(dbs: Databases, template: str, sizes: Sizes, workers: int) -> dict[str, Any]:
    from practitioner_health.accounts.models import Role
    from referrals.flow import STEPS
    from reporting.benchmark import build
    from selfhelp.models import Article

    name = dbs.create("pages", template)
    use_database(name)
    referrals = max(sizes.handler_referrals, sizes.caseload * 4)
    build(referrals, 12)
    people = seed_people()
    assigned = caseload_assign(people["clinician"].pk, sizes.caseload)
    facts_refresh_everything()
    article = Article.objects.order_by("pk").first()
    if article is None:
        raise RuntimeError("No self-help article to read: the selfhelp migrations seed some")
    cookies = {role: signed_in_cookie(user) for role, user in people["users"].items()}
    total_submits = sizes.clients * (sizes.requests_per_client + WARM_UP_REQUESTS) * sizes.rounds
    question_sessions = [referral_session(n, with_token=False)[0] for n in range(sizes.clients)]
    submit_sessions = [referral_session(1000 + n, with_token=True) for n in range(total_submits)]
    answers = [answers_for(n) for n in range(sizes.clients)]

    def question(i: int, n: int) -> Any:
        step = STEPS[n % len(STEPS)]
        return post(f"/refer/{step.slug}/", question_sessions[i], answers[i][step.slug])

    submit_counter = iter(range(total_submits))
    submit_lock = threading.Lock()

    def submit(i: int, n: int) -> Any:
        with submit_lock:
            cookie, token = submit_sessions[next(submit_counter)]
        return post("/refer/check-your-answers/", cookie, {"token": token})

    results: dict[str, Any] = {"rows": {"referrals": referrals, "caseload": assigned}}
    with gunicorn(dbs.url_for(name), workers) as base:
        concurrent = LoadShape(clients=sizes.clients, per_client=sizes.requests_per_client, sizes=sizes)
        pages = LoadShape(clients=sizes.page_clients, per_client=sizes.page_requests_per_client, sizes=sizes)
        # The floor moves with whatever else the machine is doing (by a quarter between runs on a
        # shared host), so it is measured again before each pair of self-referral loads, and
        # each load is reported from its middle round, beside that round's own floor.
        rounds = []
        for _ in range(sizes.rounds):
            floor = load(base, lambda i, n: get("/healthz"), **concurrent)
            rounds.append(
                {
                    "floor": floor,
                    "referral_questions": load(base, question, **concurrent),
                    "referral_submit": load(base, submit, **concurrent),
                }
            )
        for key in ("referral_questions", "referral_submit"):
            results[key] = middle_round(rounds, key)
        results["floor_20"] = rounds[0]["floor"]
        results["floor_pages"] = load(base, lambda i, n: get("/healthz"), **pages)
        results["home"] = load(base, lambda i, n: get("/"), **pages)
        results["article"] = load(base, lambda i, n: get(f"/self-help/articles/{article.slug}/"), **pages)
        caseload_cookie = cookies[Role.CLINICIAN]
        results["caseload"] = load(base, lambda i, n: get("/clinician/", caseload_cookie), **pages)
        handler_cookie = cookies[Role.HANDLER]
        results["handler_dashboard"] = load(base, lambda i, n: get("/helpline/", handler_cookie), **pages)
        # A full page (50 rows) of the longest queue, as a handler working through it sees it.
        results["handler_queue"] = load(base, lambda i, n: get("/helpline/queues/new/", handler_cookie), **pages)
        commissioner_cookie = cookies[Role.COMMISSIONER]
        results["commissioner_dashboard"] = load(base, lambda i, n: get("/reporting/", commissioner_cookie), **pages)
    return results


def middle_round(rounds: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """`key`'s figures from the round whose share of its floor's requests/s is the median."""
    by_share = sorted(rounds, key=lambda r: r[key]["rps"] / r["floor"]["rps"] if r["floor"]["rps"] else 0.0)
    chosen = by_share[(len(by_share) - 1) // 2]
    return {
        **chosen[key],
        "floor": chosen["floor"],
        "shares": [ratio(r[key]["rps"], r["floor"]["rps"]) for r in rounds],
    }


def floor_group_by(repeats: int) -> dict[str, Any]:
    """The floor: one hand-written GROUP BY over the referrals the dashboard summarises."""
    from django.db import connection

    from reporting.periods import current_month, financial_year_of, month_bounds

    year = financial_year_of(current_month())
    start, _ = month_bounds(current_month().replace(year=year, month=4))
    sql = (
        "SELECT date_trunc('month', submitted_at) AS month, work_region, profession, career_stage, channel, "
        "count(*), count(*) FILTER (WHERE eligibility = 'eligible'), "
        "count(*) FILTER (WHERE eligibility = 'ineligible') "
        "FROM referrals_referral WHERE submitted_at >= %s GROUP BY 1, 2, 3, 4, 5"
    )
    samples = []
    with connection.cursor() as cursor:
        for _ in range(repeats + 2):
            started = time.perf_counter()
            cursor.execute(sql, [start])
            cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    samples = sorted(samples[2:])
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 1),
    }


def bench_dashboard_sizes(dbs: Databases, template: str, sizes: Sizes, workers: int) -> dict[str, Any]:
    from practitioner_health.accounts.models import Role, User
    from reporting.benchmark import build

    results: dict[str, Any] = {}
    for count in sizes.dashboard_referrals:
        name = dbs.create(f"dash_{count}", template)
        use_database(name)
        started = time.perf_counter()
        build(count, 36)
        seeded = time.perf_counter() - started
        refresh = facts_refresh_everything()
        log(f"{count:,} referrals seeded in {seeded:.0f}s, facts refreshed in {refresh:.0f}s")
        commissioner = User.objects.create_user(
            "bench-commissioner@example.invalid", None, role=Role.COMMISSIONER, full_name="Bench commissioner"
        )
        cookie = signed_in_cookie(commissioner)
        floor = floor_group_by(sizes.dashboard_repeats)
        with gunicorn(dbs.url_for(name), workers) as base:
            timing = sequential(base, get("/reporting/", cookie), sizes.dashboard_repeats)
        results[str(count)] = {
            "seed_s": round(seeded, 1),
            "facts_refresh_s": round(refresh, 1),
            "dashboard": timing,
            "floor_group_by": floor,
            "ratio_p50": round(timing["p50_ms"] / floor["p50_ms"], 2) if floor["p50_ms"] else None,
        }
        use_database(template)
        dbs._admin(f'DROP DATABASE "{name}" WITH (FORCE)')
        dbs.created.remove(name)
    return results


# The benchmark referral names clinician 3 as someone they know and works where clinician 5 does.
CONFLICTED_CLINICIANS = (3, 5)


def seed_clinicians(first: int, count: int) -> None:
    """Clinicians numbered first..count-1, active in London, each with a few open slots.

    One in ten offers addiction care only, so the service rule has clinicians to leave out;
    the two the benchmark referral conflicts with (3 and 5) have the earliest slots of all,
    so ranking has to skip them rather than never reach them.
    """
    from django.utils import timezone

    from clinicians.models import Clinician, Profession, Region, Service, Slot
    from practitioner_health.accounts.models import Role, User
    from practitioner_health.crypto import email_index

    london = Region.objects.get_or_create(code="london")[0]
    assessment = Service.objects.get_or_create(code="assessment")[0]
    addiction = Service.objects.get_or_create(code="addiction")[0]
    now = timezone.now()
    batch = 2000
    for offset in range(first, count, batch):
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench-clin-{n}@example.invalid",
                    email_index=email_index(f"bench-clin-{n}@example.invalid"),
                    role=Role.CLINICIAN,
                    full_name=f"Dr Bench {surname(n)}",
                    password="!",
                )
                for n in range(offset, min(count, offset + batch))
            ]
        )
        clinicians = Clinician.objects.bulk_create(
            [
                Clinician(
                    user=user,
                    profession=Profession.CBT_THERAPIST,
                    video=True,
                    max_caseload=30,
                    workplaces=f"{surname(n)} General Hospital",
                )
                for n, user in zip(range(offset, count), users, strict=False)
            ]
        )
        Clinician.regions.through.objects.bulk_create(
            [Clinician.regions.through(clinician_id=c.pk, region_id=london.pk) for c in clinicians]
        )
        numbered = list(zip(range(offset, count), clinicians, strict=False))
        Clinician.services.through.objects.bulk_create(
            [
                Clinician.services.through(clinician_id=c.pk, service_id=(addiction if n % 10 == 0 else assessment).pk)
                for n, c in numbered
            ]
        )
        conflicted = [c for n, c in numbered if n in CONFLICTED_CLINICIANS]
        Slot.objects.bulk_create(
            [
                Slot(
                    clinician=c,
                    start=now + timedelta(days=1 + (c.pk * 7 + k) % 20, hours=k),
                    end=now + timedelta(days=1 + (c.pk * 7 + k) % 20, hours=k, minutes=50),
                )
                for c in clinicians
                for k in range(3)
            ]
            + [
                Slot(clinician=c, start=now + timedelta(minutes=30), end=now + timedelta(minutes=80))
                for c in conflicted
            ]
        )


def surname(n: int) -> str:
    """A distinct made-up surname for clinician n (name matching ignores digits)."""
    letters = ""
    while True:
        n, rest = divmod(n, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[rest]
        if n == 0:
            return "Zed" + letters


def _time_rank(referral: Any, assessment: Any, sizes: Sizes) -> dict[str, Any]:
    from triage.matching import rank

    rank(referral, assessment)  # warm-up
    samples = []
    for _ in range(max(5, sizes.dashboard_repeats)):
        started = time.perf_counter()
        ranking = rank(referral, assessment)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "candidates": len(ranking.candidates),
        "excluded_conflicts": ranking.excluded_conflicts,
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 1),
    }


def bench_matching(dbs: Databases, template: str, sizes: Sizes) -> dict[str, Any]:
    from django.db import connection

    from clinicians.models import Slot, SlotStatus
    from practitioner_health.accounts.models import Role, User
    from referrals.models import Referral
    from triage.models import TriageAssessment

    results: dict[str, Any] = {}
    name = dbs.create("matching", template)
    use_database(name)
    handler = User.objects.create_user("bench-matching-handler@example.invalid", None, role=Role.HANDLER)
    referral = Referral.objects.create(
        reference="BENCHMATCH",
        profession="doctor",
        register="GMC",
        registration_number="7654321",
        registration_index="bench-matching",
        work_location="england",
        career_stage="gp",
        work_region="north-west",
        # Conflicts with two clinicians: one works there, one is someone they know.
        employer=f"{surname(5)} General Hospital",
        seen_where="region",
        seen_region="london",
        name="Dr Matching Person",
        date_of_birth=timezone_date(),
        email="matching@example.invalid",
        mobile="+447700900001",
        people_known=f"Dr Bench {surname(3)}",
    )
    assessment = TriageAssessment.objects.create(
        referral=referral,
        assessed_by=handler,
        risk_level="low",
        needs=["assessment"],
        urgency="routine",
        pathway="therapy",
    )
    seeded = 0
    for count in sizes.clinicians:
        seed_clinicians(seeded, count)
        seeded = count
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        results[str(count)] = _time_rank(referral, assessment, sizes)
        log(f"matching among {count:,} clinicians: {results[str(count)]}")
    # The other extreme, at the largest size: nobody has an open time (a fully booked
    # network), so every candidate is ranked by caseload alone. The slots are taken in a
    # committed change and the table vacuumed, as a booked-up network's would be.
    Slot.objects.filter(status=SlotStatus.OPEN).update(status=SlotStatus.BOOKED)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE clinicians_slot")
    results[str(seeded)]["no_open_times"] = _time_rank(referral, assessment, sizes)
    log(f"matching among {seeded:,} clinicians, none with an open time: {results[str(seeded)]['no_open_times']}")
    return results


def timezone_date() -> Any:
    import datetime

    return datetime.date(1980, 1, 1)


def bench_reminders(dbs: Databases, template: str, sizes: Sizes) -> dict[str, Any]:
    """`sizes.reminders` booked appointments whose reminder is due; one run of the job, then another."""
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from clinicians.models import Appointment, AppointmentReminder, CareEpisode, Clinician, Profession, Slot
    from clinicians.services.reminders import reminders_send
    from practitioner_health.accounts.models import Role, User
    from practitioner_health.notifications.models import Notification
    from referrals.models import Referral

    name = dbs.create("reminders", template)
    use_database(name)
    now = timezone.now()
    long_ago = now - timedelta(days=30)
    user = User.objects.create_user("bench-reminder-clinician@example.invalid", None, role=Role.CLINICIAN)
    clinician = Clinician.objects.create(user=user, profession=Profession.CBT_THERAPIST)
    referral = Referral.objects.create(
        reference="BENCHREMIND",
        profession="doctor",
        register="GMC",
        registration_number="7654322",
        registration_index="bench-reminders",
        work_location="england",
        career_stage="gp",
        seen_where="video",
        name="Dr Reminder Person",
        date_of_birth=timezone_date(),
        email="reminders@example.invalid",
        mobile="+447700900002",
        texts_ok=True,
        submitted_at=long_ago,
    )
    episode = CareEpisode.objects.create(referral=referral, clinician=clinician, started_at=long_ago)
    slot = Slot.objects.create(
        clinician=clinician, start=now + timedelta(hours=30), end=now + timedelta(hours=31), status="booked"
    )
    template_appointment = Appointment.objects.create(slot=slot, episode=episode, booked_at=long_ago)
    with connection.cursor() as cursor:
        # Appointments spread over 30-40 hours away, booked a month ago: the 48-hour reminder
        # is due for every one of them, however many there are.
        step = max(1, 10 * 3600 * 1000 // sizes.reminders)
        cursor.execute(
            f"""
            WITH ins AS (
                INSERT INTO clinicians_slot (clinician_id, start, "end", site_id, status, pattern_id, leave_id)
                SELECT %s, %s::timestamptz + g * {step} * interval '1 millisecond',
                       %s::timestamptz + g * {step} * interval '1 millisecond' + interval '50 minutes',
                       NULL, 'booked', NULL, NULL
                FROM generate_series(1, %s) g RETURNING id
            )
            INSERT INTO clinicians_appointment ({", ".join(f'"{c}"' for c in _columns(Appointment))})
            SELECT {", ".join("ins.id" if c == "slot_id" else f't."{c}"' for c in _columns(Appointment))}
            FROM ins CROSS JOIN (SELECT * FROM clinicians_appointment WHERE id = %s) t
            """,
            [
                clinician.pk,
                now + timedelta(hours=30),
                now + timedelta(hours=30),
                sizes.reminders - 1,
                template_appointment.pk,
            ],
        )
        cursor.execute("ANALYZE")
    due = Appointment.objects.count()
    started = time.perf_counter()
    queued = reminders_send(now=now)
    first_run = time.perf_counter() - started
    started = time.perf_counter()
    again = reminders_send(now=now)
    second_run = time.perf_counter() - started
    duplicates = (
        Notification.objects.values("idempotency_key").annotate(n=Count("pk")).filter(n__gt=1).count()
        + AppointmentReminder.objects.values("appointment_id", "hours_before", "version")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "appointments_due": due,
        "queued": queued,
        "notifications": Notification.objects.count(),
        "seconds": round(first_run, 1),
        "second_run_queued": again,
        "second_run_seconds": round(second_run, 1),
        "duplicates": duplicates,
    }


def _columns(model: Any) -> list[str]:
    return [field.column for field in model._meta.concrete_fields if not field.primary_key]


def bench_booking_race(dbs: Databases, template: str, sizes: Sizes) -> dict[str, Any]:
    """`sizes.booking_attempts` threads, each with its own connection, book one slot at once."""
    from django.db import connection
    from django.utils import timezone

    from clinicians.models import Appointment, CareEpisode, Clinician, Profession, Slot
    from clinicians.services import SlotTakenError, appointment_book
    from practitioner_health.accounts.models import Role, User
    from referrals.models import Referral

    name = dbs.create("booking", template)
    use_database(name)
    handler = User.objects.create_user("bench-booking-handler@example.invalid", None, role=Role.HANDLER)
    user = User.objects.create_user("bench-booking-clinician@example.invalid", None, role=Role.CLINICIAN)
    clinician = Clinician.objects.create(user=user, profession=Profession.CBT_THERAPIST, video=True)
    episodes = []
    for n in range(sizes.booking_attempts):
        referral = Referral.objects.create(
            reference=f"BENCHBOOK{n}",
            profession="doctor",
            register="GMC",
            registration_number=f"{7_100_000 + n}",
            registration_index=f"bench-booking-{n}",
            work_location="england",
            career_stage="gp",
            seen_where="video",
            name=f"Dr Booking {n}",
            date_of_birth=timezone_date(),
            email=f"booking{n}@example.invalid",
            mobile="+447700900003",
        )
        episodes.append(CareEpisode.objects.create(referral=referral, clinician=clinician).pk)
    start = timezone.now() + timedelta(days=3)
    slot = Slot.objects.create(clinician=clinician, start=start, end=start + timedelta(minutes=50))
    connection.close()
    barrier = threading.Barrier(sizes.booking_attempts, timeout=60)
    outcomes: list[str] = [""] * sizes.booking_attempts

    def attempt(index: int) -> None:
        try:
            barrier.wait()
            appointment_book(slot_id=slot.pk, episode_id=episodes[index], booked_by=handler)
            outcomes[index] = "booked"
        except SlotTakenError:
            outcomes[index] = "refused"
        except Exception as exc:  # noqa: BLE001 - anything else is a server error in this benchmark
            outcomes[index] = f"error: {type(exc).__name__}"
        finally:
            from django.db import connection as thread_connection

            thread_connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(sizes.booking_attempts)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "attempts": sizes.booking_attempts,
        "booked": outcomes.count("booked"),
        "refused": outcomes.count("refused"),
        "server_errors": sum(1 for o in outcomes if o.startswith("error")),
        "errors": sorted({o for o in outcomes if o.startswith("error")}),
        "appointments_on_slot": Appointment.objects.filter(slot_id=slot.pk).count(),
        "seconds": round(seconds, 2),
    }


# -- machine, table, targets ----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from django.db import connection

    cpu = ""
    with suppress(OSError):  # not Linux: leave it blank
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kib = 0
    with suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(memory_kib / 1024**2, 1),
        "python": platform.python_version(),
        "postgresql": postgres,
        "platform": platform.platform(),
        # Other work on the machine skews every figure: the load average says how quiet it was.
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def ratio(value: float, floor: float) -> float | None:
    return round(value / floor, 2) if floor else None


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per benchmark: figure, floor, ratio, target and whether it was met."""
    rows: list[dict[str, Any]] = []
    if "pages" in results:
        rows += _page_rows(results["pages"])
    rows += _other_rows(results)
    return rows


def _page_rows(pages: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for key, label, share in (
        ("referral_questions", "self-referral question POST", TARGETS["question_rps_of_floor"]),
        ("referral_submit", "self-referral final submit POST", TARGETS["submit_rps_of_floor"]),
    ):
        figure = pages[key]
        floor = figure["floor"]
        shares = " / ".join("-" if s is None else f"{s:.2f}" for s in figure["shares"])
        rows.append(
            {
                "benchmark": f"{label} ({figure['clients']} clients)",
                "figure": f"{figure['rps']} req/s, p50 {figure['p50_ms']} ms, p95 {figure['p95_ms']} ms",
                "floor": f"/healthz {floor['rps']} req/s, p50 {floor['p50_ms']} ms (rounds: {shares})",
                "ratio": ratio(figure["rps"], floor["rps"]),
                "target": f">= {share:.0%} of floor req/s; p95 < {TARGETS['referral_p95_ms']:.0f} ms",
                "met": figure["rps"] >= share * floor["rps"]
                and figure["p95_ms"] < TARGETS["referral_p95_ms"]
                and figure["server_errors"] == 0
                and figure["errors"] == 0,
            }
        )
    page_floor = pages["floor_pages"]
    for key, label in (
        ("home", "home page"),
        ("article", "self-help article"),
        ("caseload", f"caseload ({pages['rows']['caseload']} episodes)"),
        ("handler_dashboard", f"handler dashboard ({pages['rows']['referrals']} referrals)"),
        ("handler_queue", "a handler's queue, a page of 50"),
        ("commissioner_dashboard", f"commissioner dashboard ({pages['rows']['referrals']} referrals)"),
    ):
        figure = pages.get(key)
        if figure is None:  # kept from a run made before this benchmark existed
            continue
        rows.append(
            {
                "benchmark": f"{label} ({figure['clients']} clients)",
                "figure": f"p50 {figure['p50_ms']} ms, p95 {figure['p95_ms']} ms, {figure['rps']} req/s",
                "floor": f"/healthz p50 {page_floor['p50_ms']} ms, p95 {page_floor['p95_ms']} ms",
                "ratio": ratio(figure["p50_ms"], page_floor["p50_ms"]),
                "target": f"p95 < {TARGETS['page_p95_ms']:.0f} ms",
                "met": figure["p95_ms"] < TARGETS["page_p95_ms"] and figure["errors"] == 0,
            }
        )
    return rows


def _other_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for count, figure in results.get("dashboard_sizes", {}).items():
        big = int(count) >= 1_000_000
        dash = figure["dashboard"]
        rows.append(
            {
                "benchmark": f"commissioner dashboard, {int(count):,} referrals (1 client)",
                "figure": f"p50 {dash['p50_ms']} ms, p95 {dash['p95_ms']} ms",
                "floor": f"SQL GROUP BY p50 {figure['floor_group_by']['p50_ms']} ms",
                "ratio": figure["ratio_p50"],
                "target": ("< 300 ms; " if big else "") + "within 2x of floor",
                "met": (dash["p95_ms"] < TARGETS["dashboard_1m_ms"] if big else True)
                and figure["ratio_p50"] is not None
                and figure["ratio_p50"] <= TARGETS["dashboard_of_floor"],
            }
        )
    for count, figure in results.get("matching", {}).items():
        cases = [("", figure)]
        if "no_open_times" in figure:  # runs made before this case was measured lack it
            cases.append((", none with an open time", figure["no_open_times"]))
        for label, case in cases:
            rows.append(
                {
                    "benchmark": f"matching, {int(count):,} clinicians{label}",
                    "figure": f"p50 {case['p50_ms']} ms, p95 {case['p95_ms']} ms",
                    "floor": "-",
                    "ratio": None,
                    "target": "< 50 ms at 10k",
                    "met": case["p95_ms"] < TARGETS["matching_10k_ms"] if int(count) >= 10_000 else True,
                }
            )
    race = results.get("booking_race")
    if race is not None:
        rows.append(
            {
                "benchmark": f"booking race, {race['attempts']} concurrent attempts on one slot",
                "figure": f"{race['booked']} booked, {race['refused']} refused, {race['server_errors']} server errors",
                "floor": "-",
                "ratio": None,
                "target": "exactly 1 booking, 0 server errors",
                "met": race["booked"] == 1 and race["appointments_on_slot"] == 1 and race["server_errors"] == 0,
            }
        )
    reminders = results.get("reminders")
    if reminders is None:
        return rows
    rows.append(
        {
            "benchmark": f"reminder sweep, {reminders['appointments_due']:,} appointments due",
            "figure": f"{reminders['seconds']} s, {reminders['queued']:,} queued, "
            f"{reminders['duplicates']} duplicates, rerun queued {reminders['second_run_queued']}",
            "floor": "-",
            "ratio": None,
            "target": "< 60 s, zero duplicates",
            "met": reminders["seconds"] < TARGETS["reminders_100k_s"]
            and reminders["duplicates"] == 0
            and reminders["second_run_queued"] == 0
            and reminders["queued"] == reminders["appointments_due"],
        }
    )
    return rows


def table(rows: list[dict[str, Any]], small: bool) -> str:
    headers = ("benchmark", "figure", "floor", "ratio", "target", "met")
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        met = "(small run: no target)" if small else ("yes" if row["met"] else "NO")
        cells = [row["benchmark"], row["figure"], row["floor"], "-" if row["ratio"] is None else str(row["ratio"])]
        lines.append("| " + " | ".join([*cells, row["target"], met]) + " |")
    return "\n".join(lines)


BENCHMARKS = ("pages", "dashboard_sizes", "matching", "reminders", "booking_race")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="tiny sizes and no targets (run by make test)")
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON results")
    parser.add_argument(
        "--dashboard-sizes",
        type=lambda text: tuple(int(part) for part in text.split(",")),
        default=None,
        help="comma-separated referral counts for the commissioner dashboard (default 10000,100000,1000000)",
    )
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=None,
        help=f"run only these benchmarks ({','.join(BENCHMARKS)}) and update the others' figures in --out",
    )
    parser.add_argument("--reminders", type=int, default=None, help="appointments due (default 100000)")
    args = parser.parse_args(argv)
    sizes = SMALL if args.small else FULL
    if args.dashboard_sizes:
        sizes = Sizes(**{**sizes.__dict__, "dashboard_referrals": args.dashboard_sizes})
    if args.reminders:
        sizes = Sizes(**{**sizes.__dict__, "reminders": args.reminders})
    # A small run's figures mean nothing: they never replace the real ones in bench/results.json.
    out = args.out or (
        Path(tempfile.gettempdir()) / "bench-small.json" if args.small else ROOT / "bench" / "results.json"
    )

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        raise SystemExit("The benchmarks run on PostgreSQL: use `make bench` (scripts/with_services.py)")
    dbs = Databases(base_url)
    template = dbs.create("template")
    os.environ["DATABASE_URL"] = dbs.url_for(template)
    # Set here, not on import: the fault tests import this module's helpers, and must keep
    # the test settings.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

    import django

    django.setup()
    from django.core.management import call_command

    workers = max(2, 2 * (os.cpu_count() or 1))
    results: dict[str, Any] = {"small": args.small, "gunicorn_workers": workers}
    if args.only:
        unknown = args.only - set(BENCHMARKS)
        if unknown:
            raise SystemExit(f"No benchmarks called {sorted(unknown)}")
        results = {**(json.loads(out.read_text()) if out.exists() else {}), **results}
        results.setdefault("partial_runs", []).append(
            {"benchmarks": sorted(args.only), "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        )
    overall = time.perf_counter()
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        log(f"migrated in {time.perf_counter() - started:.0f}s")
        results["machine"] = machine()
        from django.db import connections

        connections.close_all()
        actions: dict[str, Callable[[], dict[str, Any]]] = {
            "pages": lambda: bench_pages(dbs, template, sizes, workers),
            "dashboard_sizes": lambda: bench_dashboard_sizes(dbs, template, sizes, workers),
            "matching": lambda: bench_matching(dbs, template, sizes),
            "reminders": lambda: bench_reminders(dbs, template, sizes),
            "booking_race": lambda: bench_booking_race(dbs, template, sizes),
        }
        for key, action in actions.items():
            if args.only and key not in args.only:
                continue
            started = time.perf_counter()
            results[key] = action()
            log(f"{key}: {time.perf_counter() - started:.0f}s")
            connections.close_all()
            # Written after each benchmark, so an interrupted run keeps what it measured.
            out.write_text(json.dumps(results, indent=2, default=str))
    finally:
        from django.db import connections

        connections.close_all()
        dbs.drop_all()
    results["seconds"] = round(time.perf_counter() - overall, 1)
    results["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    results["rows"] = evaluate(results)
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out.write_text(json.dumps(results, indent=2, default=str))
    print(table(results["rows"], args.small))
    print(f"\nMachine: {results['machine']}\nResults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
