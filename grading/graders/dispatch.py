"""One entry point per calling style: `grade` (problems, sync) and `grade_answer` (all)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import InvalidState

from .answers import code_answer
from .blocks import ChoiceProblem, NumericProblem, read_code_exercise, read_problem
from .choice import grade_checkboxes, grade_multiple_choice
from .numeric import grade_numeric
from .result import GradeResult
from .text import grade_text


def grade(block_type: str, fields: Mapping[str, Any], answer: Any) -> GradeResult:
    """Grade a `problem` block's answer. Pure: same inputs, same result, no I/O.

    Raises BadInput/TooLarge for a malformed answer (as validate_answer does),
    MisconfiguredBlock for broken fields, and InvalidState for a block type that
    is not graded synchronously (`code` goes through `grade_answer`).
    """
    if block_type != "problem":
        raise InvalidState(
            f"A {block_type!r} block is not graded by grade(); use grade_answer().",
            fields={"block_type": block_type},
        )
    problem = read_problem(fields)
    if isinstance(problem, ChoiceProblem):
        if problem.kind == "multiple_choice":
            return grade_multiple_choice(problem, answer)
        return grade_checkboxes(problem, answer)
    if isinstance(problem, NumericProblem):
        return grade_numeric(problem, answer)
    return grade_text(problem, answer)


async def grade_answer(
    block_type: str, fields: Mapping[str, Any], answer: Any, *, sandbox: Any = None
) -> GradeResult:
    """Grade any gradeable block: problems inline, code in the sandbox.

    `sandbox` is a grading.sandbox.Sandbox; None uses the machine's default one.
    Raises SandboxUnavailable (not a student error) if code cannot be run here.
    """
    if block_type != "code":
        return grade(block_type, fields, answer)
    # Imported here so the problem graders never pull in subprocess machinery.
    from grading.sandbox import run_code_tests

    exercise = read_code_exercise(fields)
    return await run_code_tests(
        code_answer(answer),
        exercise.tests,
        exercise.time_limit_s,
        exercise.memory_limit_mb,
        max_points=exercise.max_points,
        sandbox=sandbox,
    )
