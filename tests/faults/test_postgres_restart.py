"""PostgreSQL restarted while people are sending self-referrals over HTTP to gunicorn.

No referral is left half-written; people see a friendly "try again" page, never a
traceback; and every referral whose reference number someone saw is there afterwards.
The database and gunicorn are this test's own (gunicorn with bench.settings: DEBUG off,
the public form's per-address limit lifted since every client is 127.0.0.1).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
from pathlib import Path

import psycopg2
import pytest
import requests
from django.conf import settings

from bench.run import answers_for, gunicorn
from referrals.flow import STEPS
from tests.support.celery_worker import wait_until
from tests.support.services import PostgresServer

pytestmark = pytest.mark.services

ROOT = Path(settings.BASE_DIR)
CLIENTS = 6
REFERRALS_PER_CLIENT = 4
FRIENDLY = (
    "Sorry, the service is busy",  # 503: a view lost the database (practitioner_health.middleware)
    "Sorry, there is a problem with the service",  # 500: the session could not be read
    "There was a problem with your request",  # 400: the session could not be saved ("Go back and try again")
)
REFERENCE = re.compile(r"<strong>(PH-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>")


class Person:
    """A browser that keeps pressing the button until the page works, as people do."""

    def __init__(self, base: str, seen: list[str]) -> None:
        self.base = base
        self.http = requests.Session()
        csrf = secrets.token_hex(16)
        self.http.cookies.set("csrftoken", csrf)
        self.http.headers["X-CSRFToken"] = csrf
        self.seen = seen
        self.failures: list[tuple[int, str]] = []

    def request(self, method: str, path: str, data: dict | None = None) -> requests.Response:
        answered: list[requests.Response] = []

        def works() -> bool:
            try:
                response = self.http.request(method, self.base + path, data=data, allow_redirects=False, timeout=30)
            except requests.ConnectionError:
                return False
            if response.status_code >= 500 or response.status_code == 400:
                self.failures.append((response.status_code, response.text))
                return False
            answered.append(response)
            return True

        # Pressed again every 0.2 s (a person reading the "try again" page) for up to a minute.
        wait_until(works, timeout=60, interval=0.2)
        return answered[0]

    def refer(self, n: int) -> str:
        # A session lost in the outage means the answers are gone: start again, as a person would.
        for _ in range(5):
            reference = self._try_to_refer(n)
            if reference:
                self.seen.append(reference)
                return reference
        raise AssertionError("could not send a referral after starting again five times")

    def _try_to_refer(self, n: int) -> str | None:
        answers = answers_for(n)
        for step in STEPS:
            if self.request("POST", f"/refer/{step.slug}/", answers[step.slug]).status_code != 302:
                return None
        page = self.request("GET", "/refer/check-your-answers/")
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        if token is None:
            return None
        sent = self.request("POST", "/refer/check-your-answers/", {"token": token.group(1)})
        if sent.status_code != 302 or sent.headers["Location"] != "/refer/confirmation/":
            return None
        found = REFERENCE.search(self.request("GET", "/refer/confirmation/").text)
        return found.group(1) if found else None


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)


def rows(pg: PostgresServer, sql: str) -> list[tuple]:
    conn = psycopg2.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="practitioner_health")
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        conn.close()


def test_a_database_restart_loses_no_confirmed_referral_and_shows_a_friendly_page() -> None:
    pg = PostgresServer().start()
    try:
        migrate(pg.url)
        with gunicorn(pg.url, workers=3) as base:
            seen: list[str] = []
            people = [Person(base, seen) for _ in range(CLIENTS)]
            errors: list[BaseException] = []

            def work(index: int) -> None:
                try:
                    for k in range(REFERRALS_PER_CLIENT):
                        people[index].refer(100 * index + k)
                except BaseException as exc:  # noqa: BLE001 - reported by the test below
                    errors.append(exc)

            threads = [threading.Thread(target=work, args=(i,)) for i in range(CLIENTS)]
            for thread in threads:
                thread.start()
            wait_until(lambda: len(seen) >= 2 or not any(t.is_alive() for t in threads), timeout=60)
            pg.restart()
            for thread in threads:
                thread.join(timeout=180)
            assert not errors, errors

        failures = [failure for person in people for failure in person.failures]
        assert failures, "no request saw the restart: the test proved nothing"
        for status, body in failures:
            assert status in (400, 500, 503), status
            assert any(text in body for text in FRIENDLY), body[:500]
            assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body

        stored = {reference for (reference,) in rows(pg, "SELECT reference FROM referrals_referral")}
        assert len(seen) == CLIENTS * REFERRALS_PER_CLIENT
        assert set(seen) <= stored, set(seen) - stored
        # Nothing half-written: each referral has its needs and its confirmation queued with it.
        assert not rows(
            pg,
            "SELECT r.reference FROM referrals_referral r WHERE NOT EXISTS "
            "(SELECT 1 FROM referrals_referralneed n WHERE n.referral_id = r.id) OR NOT EXISTS "
            "(SELECT 1 FROM notifications_notification m "
            " WHERE m.idempotency_key = 'referral-received:email:' || r.reference)",
        )
    finally:
        pg.stop()
