"""Every live HTML frame is rendered in every language (realtime.publish.in_every_language),
so a Finnish page updated live reads like a Finnish reload.

Read from the source: each `publish(...)` call that sends HTML must pass it straight from
`in_every_language(...)`, or a name assigned from it in the same function. PENDING lists
the calls not converted yet (file: function), for the packages still being translated; the
list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["accounts", "announcements", "app", "courses", "courseware", "forum", "grading",
            "lti", "notifications", "peer_review", "quizzes"]
PENDING: set[str] = set()


def _is_per_language(node: ast.expr, assigned: dict[str, ast.expr]) -> bool:
    if isinstance(node, ast.Name) and node.id in assigned:
        node = assigned[node.id]
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "in_every_language")


def _html_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "html_by_audience":
            return keyword.value
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return call  # can't tell: counts as not converted
    return call.args[3] if len(call.args) > 3 else None


def unconverted() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                assigned = {target.id: node.value for node in ast.walk(function)
                            if isinstance(node, ast.Assign) for target in node.targets
                            if isinstance(target, ast.Name)}
                for node in ast.walk(function):
                    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                            and node.func.id == "publish"):
                        continue
                    html = _html_argument(node)
                    if html is None or (isinstance(html, ast.Dict) and not html.keys):
                        continue  # JSON only
                    if not _is_per_language(html, assigned):
                        found.add(f"{path.relative_to(ROOT)}: {function.name}")
    return found


def test_live_html_is_rendered_in_every_language():
    missing = unconverted() - PENDING
    assert not missing, ("publish() sends HTML rendered in one language only (wrap it in "
                         "in_every_language, docs/languages.md):\n" + "\n".join(sorted(missing)))


def test_the_pending_list_only_names_calls_that_still_need_it():
    stale = PENDING - unconverted()
    assert not stale, "converted now, remove from PENDING:\n" + "\n".join(sorted(stale))
