"""Lint, format, types and migrations are checked by the suite itself, so CI checks them too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["practitioner_health", "referrals", "clinicians", "triage", "selfhelp", "reporting", "api", "bench"]


def _run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(extra_env or {})
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    result = _run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted() -> None:
    result = _run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_type_errors(tmp_path: Path) -> None:
    result = _run(
        sys.executable,
        "-m",
        "mypy",
        "--cache-dir",
        str(tmp_path / "mypy"),
        *APPS,
        extra_env={"DJANGO_ENV": "embedded", "VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    result = _run(
        sys.executable,
        "manage.py",
        "makemigrations",
        "--check",
        "--dry-run",
        extra_env={
            "DJANGO_ENV": "embedded",
            "VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "practitioner_health.settings",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
