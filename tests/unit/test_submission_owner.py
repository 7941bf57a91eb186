"""Submission rows have one owner: only grading/ creates, scores, withdraws or ends them
(issue 13, one owner per record). Other domains call grading.api or register block-type
hooks. This scans the source with ast, so a write from any other package fails here.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNER = "grading"
# Query-set and model methods that write rows.
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update",
          "bulk_update", "delete", "save", "update_from_dict", "raw"}
# A Submission's columns that record its outcome.
OUTCOME = {"status", "points", "raw_points", "graded_at", "error_message", "feedback",
           "late_penalty", "grading_payload"}


def _root_name(node: ast.expr) -> str | None:
    """`Submission` for Submission.filter(...).using_db(c).update(...)."""
    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript | ast.Await):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_submission(name: str | None) -> bool:
    return name is not None and (name == "Submission" or "submission" in name.lower())


def submission_writes(source: str) -> list[int]:
    """Line numbers where this source writes a Submission row (or a submission's outcome)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "Submission":
                lines.append(node.lineno)  # Submission(...) to .save()
            elif isinstance(func, ast.Attribute) and func.attr in WRITES \
                    and _is_submission(_root_name(func.value)):
                lines.append(node.lineno)
            elif isinstance(func, ast.Name) and func.id == "setattr" and node.args \
                    and _is_submission(_root_name(node.args[0])):
                lines.append(node.lineno)
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for t in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(t, ast.Attribute) and t.attr in OUTCOME \
                        and _is_submission(_root_name(t.value)):
                    lines.append(t.lineno)
    return sorted(lines)


def _packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["root_packages"]


def test_the_scan_finds_writes_the_way_peer_review_used_to_make_them():
    old = """
async def cancel(conn, submission, at):
    await Submission.filter(id=submission.id, status__in=[Status.GRADED]).using_db(
        conn).update(status=Status.ERROR, points=None)
    row = await Submission.create(user_id=1)
    submission.status = Status.ERROR
    submission.points, x = None, 1
    await submission.save()
    setattr(submission, "status", Status.GRADED)
    await Submission.get(id=1)            # reads are fine
    await Submission.filter(id=1).count()
    response.status = 1
"""
    assert submission_writes(old) == [3, 5, 6, 7, 8, 9]


def test_only_grading_writes_submissions():
    found = []
    for package in _packages():
        if package in (OWNER, "models"):  # models declares the table and its migrations
            continue
        for path in sorted((ROOT / package).rglob("*.py")):
            for line in submission_writes(path.read_text()):
                found.append(f"{path.relative_to(ROOT)}:{line}")
    assert not found, ("only grading/ writes Submission rows; call grading.api instead: "
                       + ", ".join(found))


def test_the_scan_covers_the_domains_that_touch_submissions():
    packages = _packages()
    assert {"peer_review", "app", "forum", "courseware"} <= set(packages)
    # peer_review handles submissions (grading hands it the stored attempt) but names no
    # Submission model any more: it reads them through grading.api.
    assert any("submission" in p.read_text() for p in (ROOT / "peer_review").rglob("*.py"))
