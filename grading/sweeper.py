"""The sweeper: puts submissions stuck in `queued` or `grading` back on the queue, and
gives up on those that are past the limits (grading.limits).

A job can be lost (the process died, Redis was down at submit time). The database still
says `queued`/`grading`, so every `grading_sweep_seconds` the sweeper re-enqueues those
whose last enqueue is older than `grading_stale_seconds`. Claiming a row is a
conditional UPDATE of `enqueued_at`, so several sweepers (one per worker) never enqueue
the same row twice in one round; a duplicate job would be harmless anyway (grading is
idempotent).

It does not re-enqueue forever: a submission that has had `max_runs` grading runs, or has
been in flight longer than `give_up`, becomes `error` with a message for the student
(the attempt does not count, so they can submit again). One an asynchronous external
grader accepted is not asked again; it waits for the grader's callback, and is given up
once `async_reply` has passed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from grading import limits
from grading.queue import GradingQueue
from grading.results import give_up, overdue_message
from models.grading import Status, Submission

log = logging.getLogger("coursewire.grading.sweeper")

IN_FLIGHT = (Status.QUEUED, Status.GRADING)
BATCH = 500


async def give_up_stuck(now: datetime, stale_seconds: float) -> list[int]:
    """Mark `error` the in-flight submissions past the limits; returns their ids."""
    lim = limits.current()
    stale = now - timedelta(seconds=stale_seconds)
    candidates = await Submission.filter(
        status__in=IN_FLIGHT, grader_accepted_at__lt=now - lim.async_reply).limit(BATCH)
    candidates += await Submission.filter(
        status__in=IN_FLIGHT, grader_accepted_at=None,
        submitted_at__lt=now - lim.give_up).limit(BATCH)
    # Out of runs and stale: its last run died (a crash, a lost job) with none left.
    exhausted = await Submission.filter(
        status__in=IN_FLIGHT, grader_accepted_at=None, grader_runs__gte=lim.max_runs,
        enqueued_at__lt=stale).limit(BATCH)
    given_up: list[int] = []
    for submission in candidates + exhausted:
        if submission.id in given_up:
            continue
        message = overdue_message(submission, now) or limits.GAVE_UP.format(
            runs=submission.grader_runs)
        if await give_up(submission, message):
            given_up.append(submission.id)
    if given_up:
        log.warning("gave up on %d stuck submissions: %s", len(given_up), given_up[:20])
    return given_up


async def sweep_stale(queue: GradingQueue, stale_seconds: float) -> list[int]:
    """One round: give up what is past the limits, re-enqueue the rest that is stuck;
    returns the re-enqueued ids."""
    now = datetime.now(UTC)
    promote = getattr(queue, "promote_due", None)
    if promote is not None:  # delayed retries, in case no worker is consuming right now
        await promote()
    await give_up_stuck(now, stale_seconds)
    cutoff = now - timedelta(seconds=stale_seconds)
    ids = await Submission.filter(
        status__in=IN_FLIGHT, enqueued_at__lt=cutoff, grader_accepted_at=None,
        grader_runs__lt=limits.current().max_runs).order_by("id").limit(
        BATCH).values_list("id", flat=True)
    swept: list[int] = []
    for submission_id in ids:
        claimed = await Submission.filter(id=submission_id, status__in=IN_FLIGHT,
                                          enqueued_at__lt=cutoff).update(enqueued_at=now)
        if claimed:
            await queue.enqueue(submission_id)
            swept.append(submission_id)
    if swept:
        log.warning("re-enqueued %d stuck submissions: %s", len(swept), swept[:20])
    return swept


async def run_sweeper(queue: GradingQueue, stale_seconds: float, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await sweep_stale(queue, stale_seconds)
        except Exception:  # e.g. the database restarting: try again next round
            log.exception("sweeper round failed")
