"""Accommodations: extra minutes for one student on one quiz. They apply to the attempt in
progress at once (its deadline moves, and the student's open pages are told)."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from core.errors import BadInput, NotFound
from courses.service import require_role, role_in
from models.courses import Role
from models.quiz_audit import AttemptAction
from models.quizzes import AttemptStatus, QuizAccommodation, QuizAttempt
from models.users import User
from quizzes import audit, events
from quizzes.group_window import quiz_for
from quizzes.quiz_blocks import published_quiz
from quizzes.timing import deadline_for

MAX_EXTRA_MINUTES = 7 * 24 * 60


async def set_extra_time(instructor: User, course_id: str, block_id: str, user_id: int,
                         extra_minutes: object) -> dict[str, Any]:
    """Give `user_id` `extra_minutes` on the quiz (0 removes it); an attempt in progress
    gets its new deadline live."""
    await require_role(instructor, course_id, Role.INSTRUCTOR)
    if not isinstance(extra_minutes, int) or isinstance(extra_minutes, bool) \
            or not 0 <= extra_minutes <= MAX_EXTRA_MINUTES:
        raise BadInput(f"extra_minutes must be a whole number from 0 to {MAX_EXTRA_MINUTES}.",
                       fields={"extra_minutes": "Give whole minutes."})
    quiz = await published_quiz(course_id, block_id)
    student = await User.get_or_none(id=user_id)
    if student is None or await role_in(student, course_id) is None:
        raise NotFound(f"No member {user_id} in this course.")
    async with in_transaction():
        updated = await QuizAccommodation.filter(
            user_id=user_id, course_id=course_id, block_id=block_id,
        ).update(extra_minutes=extra_minutes)
        if not updated:
            await QuizAccommodation.create(user_id=user_id, course_id=course_id,
                                           block_id=block_id, extra_minutes=extra_minutes)
        running = await QuizAttempt.filter(user_id=user_id, course_id=course_id,
                                           block_id=block_id,
                                           status=AttemptStatus.IN_PROGRESS).first()
        if running is not None:
            quiz = await quiz_for(quiz, user_id)  # the student's group window, if any
            running.deadline_at = deadline_for(
                running.started_at, quiz.fields.get("time_limit_minutes"), quiz.closes_at,
                extra_minutes)
            await running.save(update_fields=["deadline_at"])
            await audit.record(running, AttemptAction.ACCOMMODATION_CHANGED, instructor.id,
                               extra_minutes=extra_minutes)
            await events.attempt_changed(running, student.name)
    return {"user_id": user_id, "block_id": block_id, "extra_minutes": extra_minutes,
            "attempt_deadline_at": running.deadline_at.isoformat()
            if running is not None and running.deadline_at else None}
