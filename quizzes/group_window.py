"""A quiz as one student's group has it: the group's own window (opens/closes, set by
staff through grading's per-group dates) in place of the quiz's. Every check and deadline
then reads `quiz.opens_at` / `quiz.closes_at` as before."""

from __future__ import annotations

from dataclasses import replace

from core.i18n import gettext as _
from grading.api import GroupDates, group_dates, group_dates_of
from models.quiz_audit import AttemptAction
from models.quizzes import AttemptStatus, QuizAccommodation, QuizAttempt
from models.users import User
from quizzes import audit, events
from quizzes.quiz_blocks import Quiz, published_quiz
from quizzes.timing import deadline_for


async def quiz_for(quiz: Quiz, user_id: int) -> Quiz:
    """`quiz` with the student's group window, if their group has one."""
    return _windowed(quiz, await group_dates(quiz.course_id, user_id, quiz.block_id))


async def quiz_for_group(quiz: Quiz, group: str | None) -> Quiz:
    """`quiz_for` a student whose group the caller has read (courses.service.Member)."""
    return _windowed(quiz, await group_dates_of(quiz.course_id, group, quiz.block_id))


def _windowed(quiz: Quiz, dates: GroupDates | None) -> Quiz:
    if dates is None or (dates.opens_at is None and dates.closes_at is None):
        return quiz
    fields = dict(quiz.fields)
    if dates.opens_at is not None:
        fields["opens_at"] = dates.opens_at.isoformat()
    if dates.closes_at is not None:
        fields["closes_at"] = dates.closes_at.isoformat()
    return replace(quiz, fields=fields)


async def group_window_changed(course_id: str, block_id: str, user_ids: list[int]) -> None:
    """grading's hook when a group's dates for this quiz change: each student's attempt in
    progress gets its new deadline, live (like an accommodation)."""
    quiz = await published_quiz(course_id, block_id)
    running = await QuizAttempt.filter(course_id=course_id, block_id=block_id,
                                       user_id__in=user_ids,
                                       status=AttemptStatus.IN_PROGRESS).prefetch_related("user")
    for attempt in running:
        theirs = await quiz_for(quiz, attempt.user_id)
        attempt.deadline_at = deadline_for(
            attempt.started_at, theirs.fields.get("time_limit_minutes"), theirs.closes_at,
            await _extra_minutes(attempt.user_id, course_id, block_id))
        await attempt.save(update_fields=["deadline_at"])
        await audit.record(attempt, AttemptAction.EXTENDED, None,
                           reason=_("The group's window changed."))
        student: User = attempt.user  # type: ignore[assignment]
        await events.attempt_changed(attempt, student.name)


async def _extra_minutes(user_id: int, course_id: str, block_id: str) -> int:
    row = await QuizAccommodation.get_or_none(user_id=user_id, course_id=course_id,
                                              block_id=block_id)
    return row.extra_minutes if row is not None else 0
