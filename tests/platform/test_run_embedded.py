"""`make run`'s supervisor: the embedded service comes up on its own defaults, and stopping
the supervisor stops everything it started (no orphaned web server or worker)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path

import pytest

from tests.support.celery_worker import wait_until
from tests.support.services import free_port

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
# What `make test` sets for the suite; the embedded default must not see any of it.
TEST_ONLY = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")


def status(url: str) -> int:
    return fetch(url)[0]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError:
        return 0, ""


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


SEARCHED = "gargoyle-rota"
TOKEN = "cxk4zz-0f0e0d0c0b0a09080706050403020100"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_embedded_service_starts_and_stops_everything_it_started(tmp_path: Path, stop: signal.Signals) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY}
    env.update(DJANGO_ENV="embedded", VAR_DIR=str(tmp_path))
    supervisor = subprocess.Popen(
        [sys.executable, "scripts/run_embedded.py", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until(lambda: status(f"http://127.0.0.1:{port}/healthz") == 200, timeout=180, interval=0.5)
        assert status(f"http://127.0.0.1:{port}/refer/") == 200
        started = children_of(supervisor.pid)
        assert len(started) == 2, "gunicorn and the Celery worker"
        if stop == signal.SIGTERM:
            safe_to_show(port)

        supervisor.send_signal(stop)
        assert supervisor.wait(timeout=30) == 0
        wait_until(lambda: not any(alive(pid) for pid in started), timeout=30, interval=0.2)
        assert status(f"http://127.0.0.1:{port}/healthz") == 0
        output = supervisor.stdout.read().decode() if supervisor.stdout else ""
        assert "Demo logins" in output
        assert list((tmp_path / "celery-queue" / "control").glob("*.exchange")), "the broker's tables live in VAR_DIR"
        assert not (ROOT / "control").exists(), "nothing is written into the source tree"
        # The access log: what was asked for, never a query string, a token or an address.
        assert '"GET /healthz" 200' in output
        assert "/refer/" in output and "request_id=" in output
        for secret in (SEARCHED, TOKEN, "127.0.0.1 -", "Mozilla"):
            assert secret not in output, secret
    finally:
        with suppress(ProcessLookupError):
            os.killpg(supervisor.pid, signal.SIGKILL)


def safe_to_show(port: int) -> None:
    """DEBUG is off by default: the service's own pages, never Django's debug pages; static
    files are still served; the access log gets requests that carry personal data."""
    base = f"http://127.0.0.1:{port}"
    code, body = fetch(f"{base}/no-such-page/?q={SEARCHED}")
    assert code == 404
    assert "Page not found" in body and "URLconf" not in body and "DEBUG = True" not in body
    for asset in ("/static/css/app.css", "/static/js/app.mjs", "/nhsuk-frontend.min.css"):
        assert status(base + asset) == 200, asset
    request = urllib.request.Request(f"{base}/account/password/set/MQ/{TOKEN}/", headers={"User-Agent": "Mozilla"})
    with suppress(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=5)
