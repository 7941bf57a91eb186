"""How a graded attempt ends: its grade (with the late policy), an error, or giving up on
one stuck in flight. Each is a conditional UPDATE from an in-flight status, so exactly one
result is recorded, in one transaction with its events (the outbox).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.clock import now
from grading import events, limits
from grading.block_state import BlockHistory
from models.grading import Status, Submission
from models.users import User

log = logging.getLogger("coursewire.grading")

IN_FLIGHT = (Status.QUEUED, Status.GRADING)


def late_adjusted(submission: Submission, points: float, max_points: float,
                  feedback: dict[str, Any]) -> tuple[float, float, dict[str, Any]]:
    """(raw points on the block's scale, points after the late penalty, the feedback with
    the deduction noted): the one place the late policy's penalty is applied."""
    raw = points / max_points * submission.max_points if max_points else 0.0
    final = raw * (1.0 - submission.late_penalty)
    if submission.late and submission.late_penalty:
        feedback = {**feedback, "late": f"Submitted late: {submission.late_penalty:.0%} "
                    "of the points deducted."}
    return raw, final, feedback


async def record_grade(submission: Submission, points: float, max_points: float,
                       feedback: dict[str, Any], payload: Any = None, *,
                       history: BlockHistory | None = None, user: User | None = None) -> bool:
    """Store the grade if the submission is still `grading`; False if one already was.

    `submission` is updated in memory as stored, and its events render from it.
    """
    raw, final, feedback = late_adjusted(submission, points, max_points, feedback)
    changes = {"status": Status.GRADED, "raw_points": raw, "points": final,
               "feedback": feedback, "grading_payload": payload, "graded_at": now(),
               "error_message": None}
    async with in_transaction():  # the grade and its events commit together
        if not await finish_attempt(submission, changes):
            return False
        await events.submission_changed(submission, graded=True, history=history, user=user)
    return True


async def record_error(submission: Submission, message: str,
                       feedback: dict[str, Any] | None = None, payload: Any = None, *,
                       history: BlockHistory | None = None, user: User | None = None) -> bool:
    """End a `grading` attempt as `error` (it does not count), telling the student
    `message`; False if it was already ended."""
    changes = {"status": Status.ERROR, "error_message": message, "feedback": feedback,
               "grading_payload": payload, "graded_at": now()}
    async with in_transaction():
        if not await finish_attempt(submission, changes):
            return False
        await events.submission_changed(submission, history=history, user=user)
    return True


async def finish_attempt(submission: Submission, changes: dict[str, Any],
                  from_statuses: tuple[Status, ...] = (Status.GRADING,)) -> bool:
    """End a `grading` attempt with these values (a conditional UPDATE, so one wins)."""
    recorded = await Submission.filter(id=submission.id, status__in=from_statuses).update(
        **changes)
    if recorded:
        for name, value in changes.items():
            setattr(submission, name, value)
    return bool(recorded)


async def give_up(submission: Submission, message: str) -> bool:
    """End a stuck `queued`/`grading` attempt as `error` (it does not count), telling the
    student why. False if it finished meanwhile."""
    changes = {"status": Status.ERROR, "error_message": message, "graded_at": now()}
    async with in_transaction():
        if not await finish_attempt(submission, changes, from_statuses=IN_FLIGHT):
            return False
        await events.submission_changed(submission)
    log.warning("gave up on submission %s after %d runs: %s", submission.id,
                submission.grader_runs, message)
    return True


def overdue_message(submission: Submission, at: datetime) -> str | None:
    """Why this in-flight submission should be given up at `at`, or None if it may
    still finish."""
    lim = limits.current()
    if submission.grader_accepted_at is not None:
        return (limits.NO_CALLBACK if at - submission.grader_accepted_at > lim.async_reply
                else None)
    if submission.submitted_at and at - submission.submitted_at > lim.give_up:
        return limits.TOO_SLOW
    return None


async def give_up_overdue(submission_ids: list[int]) -> bool:
    """Give up those of these in-flight submissions that are past the limits; True if
    none of them is left in flight."""
    at = now()
    left = False
    for submission in await Submission.filter(id__in=submission_ids, status__in=IN_FLIGHT):
        message = overdue_message(submission, at)
        if message is None or not await give_up(submission, message):
            left = left or message is None
    return not left
