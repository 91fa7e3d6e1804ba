"""`make run`: the whole service on one machine with no external services.

Migrates SQLite in var/, seeds demo data when the database is empty, then runs the web
server (gunicorn) and one Celery worker with beat on a filesystem transport, so reminders,
callbacks and message sending all work. Ctrl-C, or SIGTERM or SIGHUP to this process
(a process manager, `timeout`, a closed terminal), stops everything it started.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")


def _stop(signum: int, frame: object) -> None:
    # As Ctrl-C does: leave the wait below, so the children are stopped rather than orphaned.
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("DJANGO_ENV", "embedded")
    env.setdefault("DJANGO_SETTINGS_MODULE", "practitioner_health.settings")
    env.setdefault("PUBLIC_URL", f"http://127.0.0.1:{args.port}")
    os.chdir(ROOT)

    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    # Idempotent: creates what is missing and prints each demo login with a fresh backup code.
    subprocess.run([PY, "manage.py", "seed_demo"], env=env, check=True)

    processes = [
        subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "practitioner_health.wsgi",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                "2",
                # The access log keeps no query string, address or token (see the module).
                "--config",
                "python:practitioner_health.gunicorn_config",
                "--log-level",
                "warning",
            ],
            env=env,
        ),
        subprocess.Popen(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "practitioner_health",
                "worker",
                "--beat",
                "--loglevel",
                "WARNING",
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--schedule",
                str(ROOT / "var" / "celerybeat-schedule"),
            ],
            env=env,
        ),
    ]
    print(f"\nPractitioner Health is running at http://127.0.0.1:{args.port}/  (Ctrl-C to stop)\n", flush=True)
    try:
        # Block until any of them exits (or Ctrl-C), then stop the others.
        with suppress(KeyboardInterrupt):
            os.wait()
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
