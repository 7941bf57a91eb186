"""What a grader hands back: points, per-item feedback and a one-line summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FeedbackItem:
    """Feedback on one gradeable item: a chosen option, a test function, an answer."""

    label: str
    passed: bool
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "passed": self.passed, "message": self.message}


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one answer. `points` is always within [0, max_points]."""

    points: float
    max_points: float
    feedback: list[FeedbackItem] = field(default_factory=list)
    summary: str = ""

    @property
    def is_full_marks(self) -> bool:
        return self.points >= self.max_points

    def as_json(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "max_points": self.max_points,
            "feedback": [item.as_json() for item in self.feedback],
            "summary": self.summary,
        }


def scaled_points(fraction: float, max_points: float) -> float:
    """`max_points * fraction`, clamped so float error can never leave [0, max_points]."""
    # Multiplying by a factor in [0, 1] can never round above max_points.
    return max_points * min(max(fraction, 0.0), 1.0)


def summary_for(points: float, max_points: float) -> str:
    """The neutral one-line summary shared by the problem graders."""
    if points >= max_points:
        return "Correct"
    if points <= 0:
        return "Incorrect"
    return f"Partially correct ({points:g} of {max_points:g} points)"
