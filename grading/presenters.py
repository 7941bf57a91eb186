"""What each audience may see of grading's records, as JSON: the API's bodies and the
`data` of grading's events (their payload types are the TypedDicts here, listed in
grading.events.EVENT_TYPES).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from grading.course_blocks import CourseLayout
from grading.gradebook import StudentGrade
from models.grading import Extension, ExtensionLog, Status, Submission


class SubmissionPayload(TypedDict):
    """One attempt as its student and the course's staff see it."""

    id: int
    status: str  # queued | grading | graded | error | a status another domain's type waits in
    attempt: int
    points: float | None
    max_points: float
    feedback: dict[str, Any] | None
    graded_at: str | None
    course_id: str
    block_id: str
    user_id: int
    submitted_at: str | None
    late: bool
    error_message: str | None


class GradePayload(TypedDict):
    """A student's score for one block and their course grade after it changed."""

    course_id: str | None
    block_id: str
    user_id: int
    submission_id: int | None
    points: float | None
    max_points: float | None
    overridden: bool
    feedback: dict[str, Any] | None
    graded_at: str | None
    course_percent: float
    passed: bool


def submission_json(s: Submission) -> SubmissionPayload:
    return {
        "id": s.id, "status": s.status.value if isinstance(s.status, Status) else s.status,
        "attempt": s.attempt, "points": s.points, "max_points": s.max_points,
        "feedback": s.feedback, "graded_at": s.graded_at.isoformat() if s.graded_at else None,
        "course_id": s.course_id, "block_id": s.block_id, "user_id": s.user_id,
        "submitted_at": s.submitted_at.isoformat() if s.submitted_at else None,
        "late": s.late, "error_message": s.error_message,
    }


def grade_json(grade: StudentGrade, submission: Submission | None, block_id: str) -> GradePayload:
    score = grade.blocks.get(block_id)
    return {
        "course_id": submission.course_id if submission else None, "block_id": block_id,
        "user_id": grade.user_id, "submission_id": submission.id if submission else None,
        "points": score.points if score else None,
        "max_points": score.block.max_points if score else None,
        "overridden": bool(score and score.overridden),
        "feedback": submission.feedback if submission else None,
        "graded_at": submission.graded_at.isoformat() if submission and submission.graded_at
        else None,
        "course_percent": round(grade.percent, 6), "passed": grade.passed,
    }


def grade_row(layout: CourseLayout, g: StudentGrade,
              release_notes: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One student's row of the gradebook; for staff, a block students may not see yet
    carries `release`, the note saying why (grading.released)."""
    notes = release_notes or {}
    return {
        "user_id": g.user_id, "name": g.name, "email": g.email,
        "percent": round(g.percent, 6), "passed": g.passed,
        "assignment_types": [{"name": t.name, "weight": t.weight, "percent": round(t.percent, 6),
                              "assignments": [{"id": a.sequential_id, "title": a.title,
                                               "earned": a.earned, "possible": a.possible,
                                               "dropped": a.dropped} for a in t.assignments]}
                             for t in g.types],
        "sections": [{"id": s.chapter_id, "title": s.title, "earned": s.earned,
                      "possible": s.possible} for s in g.sections],
        "blocks": [{"block_id": b.id, "title": b.title, "points": g.blocks[b.id].points,
                    "max_points": b.max_points, "status": g.blocks[b.id].status,
                    "attempts": g.blocks[b.id].attempts,
                    "overridden": g.blocks[b.id].overridden,
                    **({"release": notes[b.id]} if b.id in notes else {})}
                   for b in layout.blocks],
    }


def extension_json(ext: Extension) -> dict[str, Any]:
    return {"id": ext.id, "user_id": ext.user_id, "block_id": ext.block_id,
            "due_at": ext.due_at.isoformat() if ext.due_at else None,
            "extra_attempts": ext.extra_attempts, "reason": ext.reason,
            "granted_by": ext.granted_by_id, "granted_at": ext.granted_at.isoformat()}


def extension_log_json(r: ExtensionLog) -> dict[str, Any]:
    return {"id": r.id, "action": r.action, "user_id": r.user_id, "block_id": r.block_id,
            "due_at": r.due_at.isoformat() if r.due_at else None,
            "extra_attempts": r.extra_attempts, "reason": r.reason, "by": r.by_id,
            "at": r.created_at.isoformat()}
