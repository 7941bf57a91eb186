"""Grade Python code against hidden tests: `run_code_tests`."""

from __future__ import annotations

import ast

from grading.graders.blocks import MisconfiguredBlock
from grading.graders.result import GradeResult

from .limits import RunLimits
from .report import grade_run
from .sandbox import Sandbox, default_sandbox


async def run_code_tests(
    code: str,
    tests: str,
    time_limit_s: float = 5.0,
    memory_limit_mb: int = 256,
    *,
    max_points: float = 1.0,
    sandbox: Sandbox | None = None,
) -> GradeResult:
    """Run the hidden `tests` (test_* functions) against `code` imported as `solution`.

    Each test, and loading the solution, gets `time_limit_s`; the process gets
    `memory_limit_mb` of address space. Points are max_points * passed / total.
    Whatever the code does (hang, fork, allocate, print, exit) ends as a graded
    result with a message per test. Raises MisconfiguredBlock for tests that do not
    parse, SandboxUnavailable / SandboxFailure when this machine cannot run code
    (not the student's fault). Does not block the event loop.
    """
    names = test_names_in(tests)
    limits = RunLimits.for_exercise(time_limit_s, memory_limit_mb, len(names))
    sandbox = sandbox or await default_sandbox()
    outcome = await sandbox.run(code, tests, limits)
    return grade_run(outcome, names, limits, max_points)


def test_names_in(tests: str) -> tuple[str, ...]:
    """Top-level test_* function names, in order, found without running anything."""
    try:
        tree = ast.parse(tests, filename="<tests>")
    except SyntaxError as exc:
        raise MisconfiguredBlock(
            f"The hidden tests do not parse: {exc.msg} (line {exc.lineno}).",
            fields={"tests": "syntax error"},
        ) from None
    return tuple(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    )
