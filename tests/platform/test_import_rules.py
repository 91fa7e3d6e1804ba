"""DESIGN's one-way arrows between apps, checked on every import statement in the code
(including imports inside functions), so a shortcut across them fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = "practitioner_health"

# What each app may import besides the platform (DESIGN, "Apps and who may import whom").
# The platform imports no domain app; its urls.py includes their URLconfs by name.
ALLOWED = {
    PLATFORM: set(),
    "selfhelp": set(),
    "referrals": {"selfhelp"},
    "clinicians": {"referrals", "selfhelp"},
    "triage": {"referrals", "clinicians"},
    "reporting": {"referrals", "clinicians", "triage"},
    # The smartphone app's API (added after DESIGN was written) is a leaf like the pages:
    # it calls the same services, and nothing imports it.
    "api": {"referrals", "clinicians", "selfhelp", "triage"},
}
# Reporting reads other apps' data only: their models and read-only selectors.
READ_ONLY = {"models", "selectors"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            # `from clinicians import services` imports the module `clinicians.services`.
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def crossings(app: str) -> list[tuple[str, int, str]]:
    """Every import in `app` of another app: (file, line, module)."""
    out = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for line, module in imports_of(path):
            top = module.split(".")[0]
            if top in ALLOWED and top != app:
                out.append((str(path.relative_to(ROOT)), line, module))
    return out


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_each_app_imports_only_what_design_allows(app: str) -> None:
    wrong = [
        f"{path}:{line} imports {module}"
        for path, line, module in crossings(app)
        if module.split(".")[0] not in ALLOWED[app] | {PLATFORM}
    ]
    assert not wrong, "\n".join(wrong)


def test_reporting_reads_other_apps_only_through_models_and_selectors() -> None:
    wrong = [
        f"{path}:{line} imports {module}"
        for path, line, module in crossings("reporting")
        if module.split(".")[0] != PLATFORM and len(module.split(".")) > 1 and module.split(".")[1] not in READ_ONLY
    ]
    assert not wrong, "\n".join(wrong)


def test_the_rules_catch_a_crossing(tmp_path: Path) -> None:
    source = tmp_path / "shortcut.py"
    source.write_text("def f():\n    from reporting.selectors import figures\n    import triage.models\n")
    assert [module for _, module in imports_of(source)] == [
        "reporting.selectors",
        "reporting.selectors.figures",
        "triage.models",
    ]
