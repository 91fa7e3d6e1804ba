"""The threat model is evidence, not prose: every control it lists names tests that exist."""

from __future__ import annotations

import re

from tests.support.evidence import ROOT, missing_node_ids, node_id_exists, node_ids_in

THREAT_MODEL = ROOT / "docs" / "security" / "threat-model.md"
THREAT_ROW = re.compile(r"^\| (T\d+) \|(.+)$", re.MULTILINE)


def threat_rows() -> dict[str, str]:
    return dict(THREAT_ROW.findall(THREAT_MODEL.read_text()))


def test_every_test_the_threat_model_cites_exists() -> None:
    cited = node_ids_in(THREAT_MODEL.read_text())

    assert len(cited) >= 40
    assert missing_node_ids(cited) == []


def test_every_threat_has_a_control_and_a_test() -> None:
    rows = threat_rows()

    assert len(rows) >= 45
    for threat_id, row in rows.items():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        threat, control, tests = cells[0], cells[1], cells[-1]
        assert threat and control, f"{threat_id} names no threat or no control"
        assert node_ids_in(tests), f"{threat_id} cites no test that proves its control"


def test_threat_ids_are_unique() -> None:
    ids = THREAT_ROW.findall(THREAT_MODEL.read_text())

    assert len(ids) == len({threat_id for threat_id, _ in ids})


def test_a_missing_test_is_noticed() -> None:
    assert not node_id_exists("tests/platform/test_threat_model.py::test_that_was_never_written")
    assert not node_id_exists("tests/platform/no_such_file.py::test_x")
    assert node_id_exists("tests/platform/test_threat_model.py::test_a_missing_test_is_noticed[param]")
