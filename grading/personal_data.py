"""Grading's part of a person's export and erasure: submissions with their grades,
extensions and grade overrides about them (and those they granted as staff).

Erasure keeps every submission and its points, so course statistics keep their counts; the
rows move to the tombstone. Answers stay too (they are the graded work) but nothing names
the person any more; what an external grader sent back is dropped (it may echo a name)."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart, move_rows
from models.grading import Extension, ExtensionLog, GradeOverride, Submission


async def export(user_id: int) -> dict[str, Any]:
    return {
        "submissions": await Submission.filter(user_id=user_id).order_by("id").values(
            "id", "course_id", "block_id", "block_type", "attempt", "status", "answer",
            "points", "max_points", "late", "late_penalty", "feedback", "error_message",
            "submitted_at", "graded_at"),
        "extensions": await Extension.filter(user_id=user_id).order_by("id").values(
            "course_id", "block_id", "due_at", "extra_attempts", "reason", "granted_at"),
        "grade_overrides": await GradeOverride.filter(user_id=user_id).order_by("id").values(
            "course_id", "block_id", "points", "previous_points", "reason", "created_at"),
    }


async def erase(erasure: Erasure) -> None:
    await Submission.filter(user_id=erasure.user_id).update(grading_payload=None)
    await move_rows(erasure, Submission, "user_id")
    await move_rows(erasure, Extension, "user_id", "granted_by_id")
    await move_rows(erasure, ExtensionLog, "user_id", "by_id")
    await move_rows(erasure, GradeOverride, "user_id", "by_id")


PART = PersonalDataPart(export=export, erase=erase)
