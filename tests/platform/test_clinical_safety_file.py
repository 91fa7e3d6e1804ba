"""The clinical risk management file (DCB0129) stays honest.

docs/clinical-safety/hazard-log.yaml is checked against the code it claims as evidence: every
test id it lists must exist (found by reading the test files, parametrised ids included), every
hazard must have a control, each risk must be what the standard's 5x5 matrix gives, and a
risk above acceptable must carry an open action.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.yaml"
CASE = ROOT / "docs" / "clinical-safety" / "safety-case.md"

SEVERITY = {1: "minor", 2: "significant", 3: "considerable", 4: "major", 5: "catastrophic"}
LIKELIHOOD = {1: "very low", 2: "low", 3: "medium", 4: "high", 5: "very high"}
# DCB0129's matrix: MATRIX[likelihood][severity] -> risk 1 (lowest) to 5.
MATRIX = {
    5: {1: 3, 2: 4, 3: 4, 4: 5, 5: 5},
    4: {1: 2, 2: 3, 3: 3, 4: 4, 5: 5},
    3: {1: 2, 2: 2, 3: 3, 4: 3, 5: 4},
    2: {1: 1, 2: 2, 3: 2, 4: 3, 5: 4},
    1: {1: 1, 2: 1, 3: 2, 4: 2, 5: 3},
}
ACCEPTABLE = 3  # 1-2 acceptable; 3 acceptable where all reasonable controls are in place; 4-5 not
CONTROL_TYPES = {"design", "test", "training/process"}
STATUSES = {"open", "mitigated", "closed"}
_NODE = re.compile(r"^(?P<path>tests/[\w/]+\.py)::(?P<names>[\w:]+?)(?:\[(?P<param>[^\]]+)\])?$")


def load_log() -> list[dict[str, Any]]:
    return yaml.safe_load(LOG.read_text())["hazards"]


@cache
def _tree(path: str) -> ast.Module | None:
    file = ROOT / path
    return ast.parse(file.read_text(), filename=path) if file.is_file() else None


def _module_value(tree: ast.Module, name: str) -> ast.expr | None:
    """The value a module-level `NAME = [...]` gives, so `parametrize("x", NAME)` is read too."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return node.value
    return None


def _param_ids(tree: ast.Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[set[str]]:
    """Literal ids of each parametrize decorator, where the file spells them out."""
    found: list[set[str]] = []
    for decorator in function.decorator_list:
        if not (isinstance(decorator, ast.Call) and ast.unparse(decorator.func).endswith("parametrize")):
            continue
        ids: set[str] = set()
        for keyword in decorator.keywords:
            if keyword.arg == "ids" and isinstance(keyword.value, ast.List | ast.Tuple):
                ids |= {str(e.value) for e in keyword.value.elts if isinstance(e, ast.Constant)}
        values = decorator.args[1] if len(decorator.args) > 1 else None
        if isinstance(values, ast.Name):
            values = _module_value(tree, values.id)
        if isinstance(values, ast.List | ast.Tuple):
            for element in values.elts:
                if isinstance(element, ast.Call) and ast.unparse(element.func).endswith("param"):
                    ids |= {
                        str(k.value.value)
                        for k in element.keywords
                        if k.arg == "id" and isinstance(k.value, ast.Constant)
                    }
                elif isinstance(element, ast.Constant) and isinstance(element.value, str):
                    ids.add(element.value)
        found.append(ids)
    return found


def problem_with(node_id: str) -> str | None:
    """Why `node_id` does not name a test in the tree, or None when it does."""
    match = _NODE.match(node_id)
    if not match:
        return "is not a pytest node id (tests/<path>.py::[Class::]test_name[param])"
    tree = _tree(match["path"])
    if tree is None:
        return "names a file that does not exist"
    scope: list[ast.stmt] = tree.body
    *classes, name = match["names"].split("::")
    for class_name in classes:
        found = next((n for n in scope if isinstance(n, ast.ClassDef) and n.name == class_name), None)
        if found is None:
            return f"names a class {class_name} that is not in the file"
        scope = found.body
    function = next(
        (n for n in scope if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name), None
    )
    if function is None or not name.startswith("test"):
        return f"names a test {name} that is not in the file"
    if match["param"] is not None:
        ids = _param_ids(tree, function)
        if not ids:
            return "has a parameter id but the test is not parametrised"
        spelt = [group for group in ids if group]
        if len(spelt) == len(ids) and not any(match["param"] in group for group in spelt):
            return f"has a parameter id [{match['param']}] the test does not define"
    return None


def all_test_ids(hazard: dict[str, Any]) -> list[str]:
    return [node for control in hazard.get("controls") or [] for node in control.get("tests") or []]


def open_actions(hazard: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in hazard.get("actions") or [] if a.get("status") == "open" and a.get("action")]


def test_the_log_and_the_safety_case_exist() -> None:
    assert LOG.is_file() and CASE.is_file()
    case = CASE.read_text()
    for heading in ("Scope", "Intended use", "Risk matrix", "Hazards and residual risk", "Decisions"):
        assert f"## {heading}" in case, heading


def test_each_hazard_is_complete_and_its_id_unique() -> None:
    hazards = load_log()
    ids = [hazard["id"] for hazard in hazards]
    assert len(ids) == len(set(ids))
    for hazard in hazards:
        for field in ("id", "hazard", "causes", "effects", "severity", "likelihood", "risk", "controls",
                      "residual_risk", "status"):  # fmt: skip
            assert hazard.get(field), f"{hazard.get('id')}: no {field}"
        assert hazard["status"] in STATUSES, hazard["id"]


@pytest.mark.parametrize("hazard", load_log(), ids=lambda h: h["id"])
def test_every_hazard_has_a_control_of_a_known_kind(hazard: dict[str, Any]) -> None:
    controls = hazard["controls"]
    assert controls, f"{hazard['id']} has no control"
    for control in controls:
        assert control.get("type") in CONTROL_TYPES and control.get("control"), (hazard["id"], control)


@pytest.mark.parametrize("hazard", load_log(), ids=lambda h: h["id"])
def test_every_listed_test_exists(hazard: dict[str, Any]) -> None:
    problems = [f"{node} {why}" for node in all_test_ids(hazard) if (why := problem_with(node))]
    assert not problems, f"{hazard['id']}:\n" + "\n".join(problems)


@pytest.mark.parametrize("hazard", load_log(), ids=lambda h: h["id"])
def test_each_risk_is_what_the_matrix_gives(hazard: dict[str, Any]) -> None:
    for scores in (hazard, hazard["residual_risk"]):
        severity, likelihood = scores["severity"], scores["likelihood"]
        assert severity in SEVERITY and likelihood in LIKELIHOOD, hazard["id"]
        assert scores["risk"] == MATRIX[likelihood][severity], (hazard["id"], scores)


@pytest.mark.parametrize("hazard", load_log(), ids=lambda h: h["id"])
def test_a_risk_above_acceptable_has_an_open_action(hazard: dict[str, Any]) -> None:
    if hazard["residual_risk"]["risk"] > ACCEPTABLE or hazard["status"] == "open":
        assert open_actions(hazard), f"{hazard['id']} needs an open action"
    else:
        assert not open_actions(hazard), f"{hazard['id']} has open actions, so its status is open"


@pytest.mark.parametrize("hazard", load_log(), ids=lambda h: h["id"])
def test_a_design_control_without_evidence_is_an_open_action(hazard: dict[str, Any]) -> None:
    unproven = [c["control"] for c in hazard["controls"] if c["type"] != "training/process" and not c.get("tests")]
    if unproven:
        assert open_actions(hazard), f"{hazard['id']}: controls with no test and no open action: {unproven}"


@pytest.mark.parametrize(
    ("node_id", "problem"),
    [
        ("tests/platform/test_clinical_safety_file.py::test_every_listed_test_exists", None),
        ("tests/platform/test_clinical_safety_file.py::test_every_listed_test_exists[H01]", None),
        ("tests/platform/test_hours.py::test_the_call_promise_follows_opening_hours_and_bank_holidays", None),
        ("tests/referrals/test_out_of_hours.py::test_the_urgent_confirmation_says_when_we_will_call[friday-23]", None),
        ("tests/referrals/test_out_of_hours.py::test_the_urgent_confirmation_says_when_we_will_call[sunday]", "define"),
        ("tests/platform/test_clinical_safety_file.py::test_no_such_thing", "not in the file"),
        ("tests/platform/no_such_file.py::test_it", "does not exist"),
        ("tests/platform/test_clinical_safety_file.py::test_the_log_and_the_safety_case_exist[x]", "not parametrised"),
        ("test_it", "not a pytest node id"),
    ],
)
def test_the_checker_finds_missing_tests(node_id: str, problem: str | None) -> None:
    found = problem_with(node_id)
    assert (found is None) if problem is None else (found is not None and problem in found), found
