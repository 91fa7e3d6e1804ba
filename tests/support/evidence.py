"""Check that the tests a document cites as evidence exist.

The threat model and the hazard log each name the tests that prove their controls, as pytest
node ids (`tests/app/test_x.py::test_y`, `...::TestClass::test_y`, `...::test_y[param]`).
A renamed or deleted test would leave a control with no evidence while the document still
claimed it, so the documents' own tests fail on any id that does not resolve.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_ID = re.compile(r"tests/[\w/]+\.py::[\w:\[\]\-.,]+")


def node_ids_in(text: str) -> list[str]:
    return NODE_ID.findall(text)


@cache
def _defined_names(path: Path) -> frozenset[str]:
    """Every test in the file as `name` or `Class::name`."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return frozenset(names)


def node_id_exists(node_id: str) -> bool:
    file_part, _, name = node_id.partition("::")
    path = ROOT / file_part
    if not path.is_file():
        return False
    return name.split("[", 1)[0] in _defined_names(path)


def missing_node_ids(node_ids: list[str]) -> list[str]:
    return [node_id for node_id in node_ids if not node_id_exists(node_id)]
