"""The grading job: move a queued attempt to `grading`, grade it with the built-in or the
external grader, or the `grade` hook of the domain that registered its block type
(grading.block_types), and record the result. Safe to run any number of times.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import BadInput, NotFound, TooLarge
from grading import events, external, limits
from grading.block_state import BlockHistory, block_history
from grading.block_types import GradingJob, current_block_types
from grading.course_blocks import published_block
from grading.external_results import record_external_reply
from grading.graders import MisconfiguredBlock, grade_answer
from grading.queue import current_queue
from grading.results import IN_FLIGHT, finish_attempt, give_up, record_error, record_grade
from grading.sandbox import SandboxFailure, SandboxUnavailable
from models.grading import Status, Submission
from models.users import User

log = logging.getLogger("coursewire.grading")


async def grade_after_submit(submission: Submission, history: BlockHistory, user: User) -> None:
    """Grade an answer right after its submit committed (see grading.at_once)."""
    try:
        started = now()
        async with in_transaction():  # `grading` and its events commit together
            moved = await Submission.filter(id=submission.id, status=Status.QUEUED).update(
                status=Status.GRADING, grading_started_at=started,
                grader_runs=F("grader_runs") + 1)
            if not moved:
                return  # a swept job has it
            submission.status, submission.grading_started_at = Status.GRADING, started
            submission.grader_runs += 1
            await events.submission_changed(submission, history=history, user=user)
        await _grade(submission, history=history, user=user)
    except Exception:
        log.exception("grading submission %s failed; the sweeper will retry it",
                      submission.id)


async def grade_submission(submission_id: int) -> None:
    """The grading job. Safe to run any number of times: one grade is recorded.

    Moves queued -> grading, grades with the built-in or external grader, and records
    the result only if the submission is still `grading` (a conditional UPDATE).
    """
    cap = limits.current().max_runs
    history: BlockHistory | None = None
    async with in_transaction():  # `grading` and its events commit together
        # Not one an async grader accepted (its result comes to the submission URL), and
        # not one that has already had every run it may have.
        moved = await Submission.filter(id=submission_id, status__in=IN_FLIGHT,
                                        grader_accepted_at=None, grader_runs__lt=cap).update(
            status=Status.GRADING, grading_started_at=now(),
            grader_runs=F("grader_runs") + 1)
        if moved:
            submission = await Submission.get(id=submission_id)
            if submission.grader_runs == 1:  # retries are not announced again
                history = await _announce_start(submission)
    if not moved:
        stuck = await Submission.get_or_none(id=submission_id, status__in=IN_FLIGHT,
                                             grader_accepted_at=None, grader_runs__gte=cap)
        if stuck is not None:
            await give_up(stuck, limits.GAVE_UP.format(runs=stuck.grader_runs))
        return  # graded, failed, awaiting a callback or gone already
    await _grade(submission, history=history)


async def _announce_start(submission: Submission) -> BlockHistory | None:
    """Publish that grading started; the block's history, or None if the block is gone
    (`_grade` then ends the attempt as an error, unannounced as before)."""
    try:
        layout, block = await published_block(submission.course_id, submission.block_id)
    except NotFound:
        return None
    history = await block_history(submission.user_id, layout, block)
    await events.submission_changed(submission, history=history)
    return history


async def _grade(submission: Submission, *, history: BlockHistory | None = None,
                 user: User | None = None) -> None:
    """Grade a submission this task has just moved to `grading` (and announced so, in the
    same transaction) and record the result.

    `history` (the block and the student's attempts, deadline and override) is read once
    here if the caller has none, and serves every event of this attempt.
    """
    try:
        if history is None:
            layout, block = await published_block(submission.course_id, submission.block_id)
            history = await block_history(submission.user_id, layout, block)
    except NotFound:
        await record_error(submission, "This exercise is no longer published; this "
                           "attempt does not count.")
        return
    block = history.block
    hooks = current_block_types().get(block.type)
    if hooks is not None and hooks.grade is not None:  # another domain's grading (quizzes)
        await hooks.grade(GradingJob(submission, history))
        return
    try:
        if block.grader_url:
            await _ask_external_grader(submission, history)
            return
        result = await grade_answer(block.type, block.fields, submission.answer)
    except MisconfiguredBlock as exc:
        log.warning("submission %s: misconfigured block: %s", submission.id, exc.message)
        await record_error(submission, "This exercise is set up wrongly, so it could not be "
                           "graded. Course staff can see why; this attempt does not count.",
                           history=history, user=user)
        return
    except (BadInput, TooLarge) as exc:
        await record_error(submission, exc.message, history=history, user=user)
        return
    except (SandboxFailure, SandboxUnavailable) as exc:
        log.error("submission %s: sandbox problem: %s", submission.id, exc)
        await record_error(submission, "Your code could not be run because of a problem on "
                           "our side. This attempt does not count; please submit again.",
                           history=history, user=user)
        return
    await record_grade(submission, result.points, result.max_points, {
        "summary": result.summary, "items": [i.as_json() for i in result.feedback]},
        history=history, user=user)


async def _ask_external_grader(submission: Submission, history: BlockHistory) -> None:
    block = history.block
    params = external.protocol_params(
        submission_id=submission.id, user_id=submission.user_id, attempt=submission.attempt,
        max_points=block.max_points, course_id=block.course_id, block_id=block.id,
        lang=history.layout.language)
    form = external.grader_form(
        submission.answer if isinstance(submission.answer, dict) else {}, params)
    try:
        reply = await external.request_grade(block.grader_url or "", form, params)
    except external.ExternalGraderError as exc:
        runs = submission.grader_runs
        log.warning("submission %s: external grader failed (run %d): %s", submission.id,
                    runs, exc)
        if runs <= external.retries() and runs < limits.current().max_runs:
            await _retry_later(submission, external.retry_delay(runs), history)
            return
        await record_error(submission, "The grader for this exercise did not answer. This "
                           "attempt does not count; please submit again later.",
                           history=history)
        return
    if reply is not None:
        await record_external_reply(submission, reply, history=history)
        return
    # Accepted: the grader posts the result to the submission URL later. Mark it so no
    # job or sweep asks the grader again; the sweeper gives up after the async timeout.
    await Submission.filter(id=submission.id, status=Status.GRADING).update(
        grader_accepted_at=now())


async def _retry_later(submission: Submission, delay: float, history: BlockHistory) -> None:
    """Back to `queued`, and a job due in `delay` seconds: the backoff holds no worker."""
    due = now() + timedelta(seconds=delay)
    # enqueued_at in the future: the sweeper counts staleness from when the job is due.
    async with in_transaction():  # back to `queued` and its event commit together
        if not await finish_attempt(submission, {"status": Status.QUEUED,
                                                 "enqueued_at": due}):
            return
        await events.submission_changed(submission, history=history)
    # If this fails the row is still `queued` and the sweeper enqueues it again.
    await current_queue().enqueue(submission.id, delay=delay)
