"""Every event the code can publish, and every kind of forum change, has a live = reload
case in this folder: a new event or change without one fails here.

The kinds are read from the source: every event-name string in a package's events.py
(`"<word>.<word>..."` outside docstrings), the changes `forum.events.post_changed` maps to
events (EVENT_OF), and the queue changes (`forum.changes.QueueChange`)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from forum.changes import QueueChange
from forum.events import EVENT_OF
from tests.support.live_reload import COVERED

ROOT = Path(__file__).resolve().parents[2]
EVENT_NAME = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
FILE_NAME = re.compile(r"\.(pdf|html|txt|py|yaml|json|csv|md)$")
CASES = ["test_announcements", "test_forum", "test_grading", "test_peer_review",
         "test_content", "test_enrolment", "test_quizzes", "test_notifications"]


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            ids.add(id(body[0].value))
    return ids


def published_kinds() -> set[str]:
    kinds = set()
    for path in sorted(ROOT.glob("*/events.py")):
        if path.parent.name in ("models", "tests"):
            continue
        tree = ast.parse(path.read_text())
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in skip and EVENT_NAME.match(node.value) \
                    and not FILE_NAME.search(node.value):
                kinds.add(node.value)
    kinds |= {f"forum.post_changed:{change}" for change in EVENT_OF}
    kinds |= {f"forum.queue_changed:{change}" for change in QueueChange}
    return kinds


def test_the_source_is_read():
    kinds = published_kinds()
    # A scan that finds nothing would pass everything: pin a few known kinds.
    assert {"announcement.created", "forum.thread.created", "grade.updated",
            "peer_review.result", "content.published", "forum.post_changed:hidden",
            "forum.queue_changed:claimed"} <= kinds


def test_every_published_kind_has_a_live_reload_case():
    for name in CASES:
        importlib.import_module(f"tests.live_reload.{name}")
    missing = sorted(published_kinds() - set(COVERED))
    assert not missing, ("no live = reload case (tests/live_reload, @covers) for: "
                         + ", ".join(missing))
