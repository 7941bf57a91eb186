"""The peer review sweeper, one per app process (several are safe: every step is a
conditional update). Each round it
- expires leases past their time and hands those responses to waiting reviewers,
- releases scores that flexible grading now allows,
- runs scheduled allocations that are due,
- queues responses whose grading hook never ran (the process died in between),
- ends waits that ran out,
- offers work to reviewers still waiting (a safety net; assignment is pushed anyway).
Expiries, ended waits and stuck leases are normally handled on time by the process's
alarm (peer_review.alarm); the sweep catches what a dead process's alarm would have.
A block that disappeared (unpublished) is logged and skipped, never stalls the rest.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Subquery

from grading.api import unclaimed_submissions
from models.peer_review import PeerResponse, PeerReviewer, ResponseStatus
from peer_review import alarm, allocation, assignment, expiry, responses, results
from peer_review.blocks import peer_block

log = logging.getLogger("coursewire.peer_review.sweeper")


async def release_flexible_scores(at: datetime) -> int:
    blocks = await PeerResponse.filter(status=ResponseStatus.ACTIVE, scored_at__isnull=True,
                                       received__gte=1).distinct().values_list(
        "course_id", "block_id")
    released = 0
    for course_id, block_id in blocks:
        try:
            block = await peer_block(course_id, block_id)
        except Exception:
            continue
        if block.flexible_after_days is None:
            continue
        cutoff = at - timedelta(days=block.flexible_after_days)
        for response in await PeerResponse.filter(
                course_id=course_id, block_id=block_id, status=ResponseStatus.ACTIVE,
                scored_at__isnull=True, received__gte=1, submitted_at__lte=cutoff):
            released += await results.release_score(response, block, at=at)
    return released


async def adopt_orphans() -> int:
    """Queue responses whose grading hook never ran (the process died in between)."""
    orphans = await unclaimed_submissions(
        "peer_review", Subquery(PeerResponse.all().values("submission_id")), limit=200)
    for submission in orphans:
        await responses.submission_received(submission)
    return len(orphans)


async def assign_waiters() -> int:
    """A safety net for any missed wake-up: offer work to everyone still waiting."""
    blocks = await PeerReviewer.filter(waiting_since__isnull=False).distinct().values_list(
        "course_id", "block_id")
    assigned = 0
    for course_id, block_id in sorted(set(blocks)):
        try:
            assigned += len(await assignment.assign_waiting(course_id, block_id))
        except Exception:
            log.exception("peer review: could not offer work in %s/%s", course_id, block_id)
    return assigned


async def sweep_once(at: datetime | None = None) -> None:
    at = at or datetime.now(UTC)
    await expiry.expire_leases(at)
    await release_flexible_scores(at)
    await allocation.run_due_allocations(at)
    await adopt_orphans()
    await expiry.end_stale_waits(at)
    await assign_waiters()


async def run_sweeper(every: float) -> None:
    try:
        await alarm.start()
    except Exception:
        log.exception("peer review alarm not armed at start; the sweeps cover it")
    while True:
        await asyncio.sleep(every)
        try:
            await sweep_once()
        except Exception:  # e.g. the database restarting: try again next round
            log.exception("peer review sweep failed")


def start_peer_review(settings) -> asyncio.Task[None]:
    """Start this process's sweeper and arm its alarm (the Runtime bound both clocks)."""
    return asyncio.create_task(run_sweeper(settings.peer_review_sweep_seconds),
                               name="peer-review-sweeper")
