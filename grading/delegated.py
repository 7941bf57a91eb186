"""Submissions of block types another domain scores (grading.block_types): grading records
the domain's score (with the late policy), withdraws an attempt, and publishes the change.
These are the only writes to such a submission after it is stored, all of them here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.clock import now
from grading import events
from grading.block_types import GradingJob, current_block_types
from grading.results import finish_attempt, late_adjusted
from models.grading import Status, Submission
from models.users import User


def _scorable(submission: Submission) -> tuple[Status, ...]:
    hooks = current_block_types().get(submission.block_type)
    waiting = (hooks.waits_in,) if hooks is not None else ()
    return (*waiting, Status.GRADED)


def _withdrawable(submission: Submission) -> tuple[Status, ...]:
    # A type graded by the job may be withdrawn before its job ran (a reopened quiz).
    hooks = current_block_types().get(submission.block_type)
    queued = (Status.QUEUED,) if hooks is not None and hooks.queued else ()
    return (*queued, *_scorable(submission))


async def score_submission(submission_id: int, points: float, max_points: float,
                           feedback: dict[str, Any], *, job: GradingJob | None = None,
                           user: User | None = None) -> bool:
    """Record the domain's score (`points` of `max_points`, rescaled to the block's maximum
    and less any late penalty) as the attempt's grade, again if it was scored before;
    False if the attempt was withdrawn. The change is published either way.

    `job`: grading's job scoring it (the `grade` hook's), whose reads of the submission and
    the block's history serve here; `user`: the student, if the caller has read them."""
    async with in_transaction():  # the score and its events commit together
        if job is not None and job.submission.id == submission_id:
            submission = job.submission
        else:
            submission, job = await Submission.get(id=submission_id), None
        raw, final, feedback = late_adjusted(submission, points, max_points, feedback)
        recorded = await finish_attempt(submission, {
            "status": Status.GRADED, "raw_points": raw, "points": final,
            "feedback": feedback, "graded_at": now()}, from_statuses=_scorable(submission))
        if not recorded and job is not None:
            # Not scored as the job read it (withdrawn, say): publish it as it is now.
            submission, job = await Submission.get(id=submission_id), None
        await events.submission_changed(submission, graded=True,
                                        history=job.history if job else None, user=user)
    return recorded


async def withdraw_submission(submission_id: int, message: str, *, at: datetime,
                              connection: Any = None) -> float | None:
    """End the attempt as an error (it no longer counts and does not use up a `once`
    type's one attempt), telling the student `message`; returns the points it had, if it
    was graded. Runs in the caller's transaction (`connection`); the caller publishes
    with `announce_submission` in that transaction."""
    submission = await Submission.get(id=submission_id).using_db(connection)
    withdrawn = submission.points if submission.status == Status.GRADED else None
    note = message
    if withdrawn is not None:
        note += f" (the score of {withdrawn:g} points was withdrawn)"
    await Submission.filter(id=submission.id, status__in=_withdrawable(submission)).using_db(
        connection).update(status=Status.ERROR, points=None, raw_points=None, graded_at=at,
                           error_message=note[:4000])
    return withdrawn


async def announce_submission(submission_id: int, *, graded: bool) -> None:
    """Publish the attempt as stored (the student's widget, the gradebook). Call it in
    the transaction that changed it, so the change and its events commit together."""
    await events.submission_changed(await Submission.get(id=submission_id), graded=graded)
