"""Quizzes' part of a person's export and erasure: their attempts (with the answers they
saved and the results), the extra time they were given, what they did to attempts (the
audit trail) and which devices opened and held their attempts (exam integrity). Erasure
moves the first three to the tombstone: an attempt keeps its points in the quiz's
statistics (grading moves the submission it was scored as); the devices are deleted (their
ids name the person's browser sessions and mean nothing for the statistics)."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart, move_rows
from models.quiz_audit import QuizAttemptEvent
from models.quiz_integrity import AttemptDevice, AttemptHold
from models.quizzes import QuizAccommodation, QuizAnswer, QuizAttempt


async def export(user_id: int) -> dict[str, Any]:
    attempts = await QuizAttempt.filter(user_id=user_id).order_by("id").values(
        "id", "course_id", "block_id", "number", "status", "started_at", "deadline_at",
        "submitted_at", "submitted_by_server", "points", "max_points", "results")
    for attempt in attempts:
        answers = await QuizAnswer.filter(attempt_id=attempt["id"]).order_by("id").values(
            "question_id", "answer", "saved_at")
        attempt["answers"] = {a["question_id"]: {"answer": a["answer"], "saved_at":
                                                 a["saved_at"]} for a in answers}
    return {
        "attempts": attempts,
        "accommodations": await QuizAccommodation.filter(user_id=user_id).values(
            "course_id", "block_id", "extra_minutes", "updated_at"),
        "attempt_actions": await QuizAttemptEvent.filter(actor_id=user_id).order_by(
            "id").values("attempt_id", "action", "at", "deadline_at", "detail"),
        "attempt_devices": await AttemptDevice.filter(attempt__user_id=user_id).order_by(
            "id").values("attempt_id", "device", "opened_at"),
        "attempt_holds": await AttemptHold.filter(attempt__user_id=user_id).order_by(
            "id").values("attempt_id", "device", "taken_at", "takeovers"),
    }


async def erase(erasure: Erasure) -> None:
    # Before the attempts move: afterwards they are the tombstone's.
    attempts = await QuizAttempt.filter(user_id=erasure.user_id).values_list("id", flat=True)
    await AttemptDevice.filter(attempt_id__in=attempts).delete()
    await AttemptHold.filter(attempt_id__in=attempts).delete()
    await move_rows(erasure, QuizAttempt, "user_id")
    await move_rows(erasure, QuizAccommodation, "user_id")
    await move_rows(erasure, QuizAttemptEvent, "actor_id")


PART = PersonalDataPart(export=export, erase=erase)
