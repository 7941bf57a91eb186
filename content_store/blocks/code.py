"""A programming exercise: the student writes ``solution.py``; hidden tests grade it."""

from __future__ import annotations

import ast
from typing import Any

from content_store.blocks import checks
from content_store.blocks.base import BlockType, Field, markdown_html
from content_store.blocks.checks import FieldProblem
from content_store.blocks.common import (
    base_view,
    due,
    grader_url,
    max_attempts,
    max_points,
    prompt,
    resubmission,
    title,
    visibility,
)
from core.i18n import N_
from core.i18n import gettext as _


def _check_tests(value: Any, path: checks.Path) -> str:
    """Hidden tests must at least parse and define a test, or every submission would fail."""
    try:
        tree = ast.parse(value, filename="tests.py")
    except SyntaxError as exc:
        raise FieldProblem(path, _("is not valid Python (line %(line)s: %(problem)s)",
                                   line=exc.lineno, problem=exc.msg)) from None
    names = [n.name for n in tree.body
             if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
             and n.name.startswith("test_")]
    if not names:
        raise FieldProblem(path, _("must define at least one test_* function"))
    return value


def _check_code(f: dict[str, Any]) -> None:
    if not f.get("tests") and not f.get("grader_url"):
        raise FieldProblem(("tests",), _("are required (unless grader_url names an external "
                                         "grader)"))


def _view(block_id: str, f: dict[str, Any]) -> dict[str, Any]:
    return {**base_view(block_id, "code", f), "prompt_html": markdown_html(f["prompt"]),
            "starter_code": f["starter_code"], "max_points": f["max_points"],
            "max_attempts": f["max_attempts"], "due_at": f["due"]}


BLOCK = BlockType(
    name="code",
    label=N_("Code exercise"),
    body_field="prompt",
    check_block=_check_code,
    view=_view,
    fields=(
        title(),
        *visibility(),
        prompt(),
        Field("starter_code", "code", N_("Starter code"), default="", scope="content"),
        Field("tests", "code", N_("Hidden tests"), nullable=True, scope="content",
              check=_check_tests,
              help=N_("Python defining test_* functions that `from solution import ...`.")),
        max_points(),
        max_attempts(),
        *resubmission(),
        due(),
        Field("time_limit_s", "float", N_("Time limit (seconds)"), default=5.0,
              check=lambda v, p: checks.check_float(v, p, strictly_positive=True, maximum=300)),
        Field("memory_limit_mb", "int", N_("Memory limit (MB)"), default=256,
              check=lambda v, p: checks.check_int(v, p, minimum=16)),
        grader_url(),
    ),
)
