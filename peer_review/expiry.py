"""What falls due: expired leases go back to the queue (and to a waiting reviewer), waits
that ran out end. The alarm (peer_review.alarm) runs these on time; the sweeper catches
what a dead process's alarm would have."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import NotFound
from models.peer_review import (
    AssignmentStatus,
    PeerAssignment,
    PeerReviewer,
)
from peer_review import clocks, events, leases
from peer_review.assignment import assign_waiting

log = logging.getLogger("coursewire.peer_review")


async def _each_block(blocks: set[tuple[str, str]], step: Any, what: str) -> None:
    # One block gone (unpublished, deleted) must not stall the others.
    for course_id, block_id in sorted(blocks):
        try:
            await step(course_id, block_id)
        except Exception:
            log.exception("peer review: could not %s in %s/%s", what, course_id, block_id)


async def _tell_reviewer(course_id: str, block_id: str, reviewer_id: int) -> None:
    """The reviewer's pages show the change; a block no longer published has no page to
    update, and its lease or wait still ends."""
    try:
        await events.work_changed(course_id, block_id, reviewer_id)
    except NotFound:
        log.info("peer review: %s/%s is gone; nothing to push", course_id, block_id)


async def _after_expiry(course_id: str, block_id: str) -> None:
    await assign_waiting(course_id, block_id)
    await events.board_changed(course_id, block_id)


async def expire_leases(at: datetime | None = None) -> int:
    """Return expired leases to the queue and give them to waiting reviewers."""
    at = at or now()
    stale = await PeerAssignment.filter(status=AssignmentStatus.OPEN, expires_at__lt=at
                                        ).limit(1000)
    blocks: set[tuple[str, str]] = set()
    for assignment in stale:
        try:
            async with in_transaction() as conn:  # the release and its event commit together
                if await leases.release(assignment, AssignmentStatus.EXPIRED, conn):
                    await _tell_reviewer(assignment.course_id, assignment.block_id,
                                         assignment.reviewer_id)
                    blocks.add((assignment.course_id, assignment.block_id))
        except Exception:  # one lease's trouble must not stall the others
            log.exception("peer review: could not end lease %s", assignment.id)
    await _each_block(blocks, _after_expiry, "hand out expired leases")
    return len(stale)


async def end_stale_waits(at: datetime | None = None) -> int:
    """Reviewers who waited longer than the wait setting stop waiting (they are no longer
    first in line for work they would not see); their pages and the board say so."""
    at = at or now()
    stale = await PeerReviewer.filter(waiting_since__isnull=False,
                                      waiting_since__lt=clocks.waiting_after(at)).limit(1000)
    blocks: set[tuple[str, str]] = set()
    for row in stale:
        try:
            async with in_transaction():  # the wait's end and its event commit together
                if await PeerReviewer.filter(
                        id=row.id, waiting_since__lt=clocks.waiting_after(at)).update(
                        waiting_since=None):
                    await _tell_reviewer(row.course_id, row.block_id, row.reviewer_id)
                    blocks.add((row.course_id, row.block_id))
        except Exception:  # one reviewer's trouble must not stall the others
            log.exception("peer review: could not end the wait of reviewer row %s", row.id)
    await _each_block(blocks, events.board_changed, "update the board")
    return len(stale)
