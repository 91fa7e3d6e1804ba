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
from typing import Any

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
        "handler_queue",
        "commissioner_dashboard",
    ):
        figure = pages[key]
        assert figure["requests"] > 0 and figure["rps"] > 0 and figure["p95_ms"] >= figure["p50_ms"] > 0, key
        assert figure["server_errors"] == 0 and figure["errors"] == 0, (key, figure)
    for key in ("referral_questions", "referral_submit"):
        # Each self-referral load was measured in two rounds, each beside a floor of its own.
        assert len(pages[key]["shares"]) == 2 and pages[key]["floor"]["rps"] > 0, pages[key]
    for figure in results["dashboard_sizes"].values():
        assert figure["dashboard"]["errors"] == 0 and figure["floor_group_by"]["p50_ms"] > 0
    for figure in results["matching"].values():
        assert figure["candidates"] > 0 and figure["excluded_conflicts"] >= 1
    # At the largest size, with no open time anywhere, the same people are still offered (by caseload).
    largest = results["matching"][max(results["matching"], key=int)]
    assert largest["no_open_times"]["candidates"] == largest["candidates"] and largest["no_open_times"]["p50_ms"] > 0
    reminders = results["reminders"]
    assert reminders["queued"] == reminders["appointments_due"] > 0
    assert reminders["duplicates"] == 0 and reminders["second_run_queued"] == 0
    race = results["booking_race"]
    assert race["booked"] == 1 and race["appointments_on_slot"] == 1 and race["server_errors"] == 0
    assert len(results["rows"]) >= 11
    assert "| benchmark |" in completed.stdout


def test_a_self_referral_load_is_reported_from_its_middle_round_beside_that_rounds_floor() -> None:
    from bench.run import middle_round

    def round_of(floor_rps: float, question_rps: float) -> dict[str, Any]:
        return {"floor": {"rps": floor_rps}, "referral_questions": {"rps": question_rps}}

    rounds = [round_of(2000, 400), round_of(1500, 450), round_of(1800, 540)]  # shares 0.20, 0.30, 0.30
    chosen = middle_round(rounds, "referral_questions")
    assert chosen["shares"] == [0.2, 0.3, 0.3]
    assert chosen["rps"] in (450, 540) and chosen["floor"]["rps"] == {450: 1500, 540: 1800}[chosen["rps"]]
    rounds = [round_of(2000, 900), round_of(1000, 250), round_of(1500, 450)]  # 0.45, 0.25, 0.30
    assert middle_round(rounds, "referral_questions")["rps"] == 450
