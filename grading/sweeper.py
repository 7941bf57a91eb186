"""The sweeper: puts submissions stuck in `queued` or `grading` back on the queue.

A job can be lost (the process died, Redis was down at submit time, an external grader
never posted back). The database still says `queued`/`grading`, so every
`grading_sweep_seconds` the sweeper re-enqueues those whose last enqueue is older than
`grading_stale_seconds`. Claiming a row is a conditional UPDATE of `enqueued_at`, so
several sweepers (one per worker) never enqueue the same row twice in one round; a
duplicate job would be harmless anyway (grading is idempotent).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from grading.queue import GradingQueue
from models.grading import Status, Submission

log = logging.getLogger("coursewire.grading.sweeper")

IN_FLIGHT = (Status.QUEUED, Status.GRADING)
BATCH = 500


async def sweep_stale(queue: GradingQueue, stale_seconds: float) -> list[int]:
    """Re-enqueue stuck submissions once; returns their ids."""
    now = datetime.now(UTC)
    cutoff = now - timedelta(seconds=stale_seconds)
    ids = await Submission.filter(status__in=IN_FLIGHT, enqueued_at__lt=cutoff).order_by(
        "id").limit(BATCH).values_list("id", flat=True)
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
