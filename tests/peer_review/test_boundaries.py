"""peer_review reads and writes only its own tables: grading's submissions reach it through
grading.api (and the stored attempt grading hands its hook), never through models.grading."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "peer_review"
# The block type's hooks name the status its attempts wait in (a value, not a table read).
ALLOWED = {("hooks.py", "Status")}


def grading_model_imports(source: str) -> list[str]:
    return [alias.name for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom) and node.module == "models.grading"
            for alias in node.names]


def test_the_scan_finds_an_import_of_the_submission_model():
    assert grading_model_imports("from models.grading import Status, Submission\n") == [
        "Status", "Submission"]


def test_peer_review_does_not_touch_grading_tables():
    found = [f"{path.name}: {name}" for path in sorted(PACKAGE.glob("*.py"))
             for name in grading_model_imports(path.read_text())
             if (path.name, name) not in ALLOWED]
    assert not found, "read submissions through grading.api: " + ", ".join(found)
