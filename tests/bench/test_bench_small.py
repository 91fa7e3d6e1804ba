"""`make bench` in miniature: every benchmark runs with tiny sizes, so its code cannot rot.

No targets are checked here (the figures from tiny sizes mean nothing); the test checks
that each benchmark ran, measured something and kept its correctness promises.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.services


def test_the_small_benchmark_runs_every_benchmark_and_writes_its_results(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    completed = subprocess.run(  # the benchmark makes (and drops) its own databases on the suite's server
        [sys.executable, "-m", "bench.run", "--small", "--out", str(out)],
        cwd=settings.BASE_DIR,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    results = json.loads(out.read_text())

    assert results["small"] is True
    assert {"cpus", "cpu_model", "python", "postgresql"} <= set(results["machine"])
    pages = results["pages"]
    for key in (
        "floor_20",
        "referral_questions",
        "referral_submit",
        "floor_pages",
        "home",
        "article",
        "caseload",
        "handler_dashboard",
        "commissioner_dashboard",
    ):
        figure = pages[key]
        assert figure["requests"] > 0 and figure["rps"] > 0 and figure["p95_ms"] >= figure["p50_ms"] > 0, key
        assert figure["server_errors"] == 0 and figure["errors"] == 0, (key, figure)
    for figure in results["dashboard_sizes"].values():
        assert figure["dashboard"]["errors"] == 0 and figure["floor_group_by"]["p50_ms"] > 0
    for figure in results["matching"].values():
        assert figure["candidates"] > 0 and figure["excluded_conflicts"] >= 1
    reminders = results["reminders"]
    assert reminders["queued"] == reminders["appointments_due"] > 0
    assert reminders["duplicates"] == 0 and reminders["second_run_queued"] == 0
    race = results["booking_race"]
    assert race["booked"] == 1 and race["appointments_on_slot"] == 1 and race["server_errors"] == 0
    assert len(results["rows"]) >= 11
    assert "| benchmark |" in completed.stdout
