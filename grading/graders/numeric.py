"""Numeric answers within an absolute or relative tolerance of the expected value.

Accepted when |answer - value| <= max(tolerance, relative_tolerance * |value|),
i.e. whichever tolerance is wider wins. The bound is inclusive, with a few units
in the last place of slack: "3.15" against 3.14 +/- 0.01 must count even though
3.15 - 3.14 is 0.010000000000000231 in binary floating point.
"""

from __future__ import annotations

import math
from typing import Any

from .answers import numeric_value
from .blocks import NumericProblem
from .result import FeedbackItem, GradeResult, summary_for

_ULPS_OF_SLACK = 8


def grade_numeric(problem: NumericProblem, answer: Any) -> GradeResult:
    """Full points if the number is within tolerance of the expected value, else 0."""
    given = numeric_value(answer)
    correct = is_within_tolerance(given, problem)
    points = problem.max_points if correct else 0.0
    return GradeResult(
        points=points,
        max_points=problem.max_points,
        feedback=[FeedbackItem(f"{given:g}", correct, "Correct" if correct else "Incorrect")],
        summary=summary_for(points, problem.max_points),
    )


def is_within_tolerance(given: float, problem: NumericProblem) -> bool:
    """The acceptance rule from the module docstring."""
    expected = problem.value
    allowed = max(problem.tolerance, problem.relative_tolerance * abs(expected))
    if allowed == 0:
        return given == expected
    slack = _ULPS_OF_SLACK * math.ulp(max(abs(expected), abs(given), allowed))
    return abs(given - expected) <= allowed + slack
