"""Handing out reviews: a reviewer asks for work (`request_review`) and gets the fairest
eligible response on a lease, or waits; whenever a response becomes eligible the assigner
(`assign_waiting`) hands it to one waiting reviewer and pushes it to their page.
Work pushed to a waiter is held on a short first lease until they open it
(`open_assignment`). The queue's order and its safety under concurrency: peer_review.leases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import InvalidState
from core.i18n import gettext as _
from courses.service import require_role
from models.courses import Role
from models.peer_review import (
    AssignmentStatus,
    PeerAssignment,
    PeerReviewer,
)
from models.users import User
from peer_review import alarm, clocks, events, leases
from peer_review.blocks import PeerBlock, peer_block
from peer_review.queries import assessments_given, get_assignment, my_response

WAITERS_PER_ROUND = 200


class _NothingEligible(Exception):
    """Rolls back an assigner attempt so the reviewer keeps waiting."""


async def review_cap(block: PeerBlock, reviewer_id: int) -> int | None:
    """graded_by, or None while the reviewer still owes reviews (may over-grade)."""
    given = await assessments_given(reviewer_id, block.course_id, block.id)
    return None if given < block.must_grade else block.graded_by


async def lease_next(block: PeerBlock, reviewer_id: int, *,
                     at: datetime | None = None) -> PeerAssignment | None:
    """The reviewer's open lease, or a newly leased response, or None.

    Asking again does not extend a lease; the first time a reviewer opens work that was
    pushed to them (on a short first lease) it gets the full lease from then.
    One transaction; see peer_review.queue for why this is safe under concurrency.
    """
    at = at or now()
    course_id, block_id = block.course_id, block.id
    cap = await review_cap(block, reviewer_id)
    row = await leases.reviewer_row(course_id, block_id, reviewer_id)
    async with in_transaction() as conn:
        await leases.take_turn(row.id, conn)
        current = await leases.open_lease(course_id, block_id, reviewer_id, conn)
        if current is not None:
            await _mark_opened(current, at, conn)
            return current
        response_id = await leases.claim_response(course_id, block_id, reviewer_id, conn, cap)
        if response_id is None:
            return None
        assignment = await leases.lease(response_id, course_id, block_id, reviewer_id, at,
                                        clocks.timing().lease, conn)
        await PeerReviewer.filter(id=row.id).using_db(conn).update(waiting_since=None)
    alarm.arm_for(assignment)
    return assignment


async def _mark_opened(assignment: PeerAssignment, at: datetime, conn: Any) -> bool:
    """The reviewer sees the work now: its full lease starts (once)."""
    if assignment.opened_at is not None:
        return False
    moved = await PeerAssignment.filter(id=assignment.id, opened_at__isnull=True,
                                        status=AssignmentStatus.OPEN).using_db(conn).update(
        opened_at=at, expires_at=at + clocks.timing().lease)
    if moved:
        assignment.opened_at, assignment.expires_at = at, at + clocks.timing().lease
    return bool(moved)


async def open_assignment(user: User, assignment_id: int) -> PeerAssignment:
    """The reviewer opened work pushed to them (their page shows it and they started on
    it): the short first lease becomes the full one. Idempotent."""
    assignment = await get_assignment(user, assignment_id)
    if assignment.status == AssignmentStatus.OPEN:
        async with in_transaction() as conn:
            await _mark_opened(assignment, now(), conn)
    return assignment


async def _require_reviewer(user: User, course_id: str, block_id: str) -> PeerBlock:
    await require_role(user, course_id, Role.STUDENT)
    block = await peer_block(course_id, block_id)
    if await my_response(user.id, course_id, block_id) is None:
        raise InvalidState(_("Submit your own response before reviewing others."))
    return block


async def request_review(user: User, course_id: str, block_id: str) -> PeerAssignment | None:
    """Give the caller work: their open lease, or the fairest eligible response.

    None means nothing is eligible: the caller is now waiting (for at most the wait
    setting), and the next eligible response is leased to a waiting reviewer and pushed as
    `peer_review.assigned`.
    """
    block = await _require_reviewer(user, course_id, block_id)
    async with in_transaction():  # the lease and the board's event commit together
        assignment = await lease_next(block, user.id)
        if assignment is not None:
            await events.board_changed(course_id, block_id)
    if assignment is not None:
        return assignment
    since = now()
    mine = PeerReviewer.filter(course_id=course_id, block_id=block_id, reviewer_id=user.id)
    async with in_transaction():  # waiting, what it was handed and the events, together
        # Asking again keeps one's place in line, unless the wait had run out.
        await mine.filter(waiting_since__isnull=True).update(waiting_since=since)
        await mine.filter(waiting_since__lt=clocks.waiting_after(since)).update(
            waiting_since=since)
        # A response committed after our pick but before we were recorded as waiting saw
        # no waiter; look again now that we are one.
        await assign_waiting(course_id, block_id)
        await events.board_changed(course_id, block_id)
    alarm.arm(since + clocks.timing().wait)
    return None


async def _assign_one(waiter: PeerReviewer, block: PeerBlock) -> PeerAssignment | None:
    cap = await review_cap(block, waiter.reviewer_id)
    try:
        async with in_transaction() as conn:
            if not await leases.take_turn(waiter.id, conn, from_waiting=True):
                return None  # another process handed this reviewer work first
            current = await leases.open_lease(waiter.course_id, waiter.block_id,
                                              waiter.reviewer_id, conn)
            if current is not None:
                await events.assigned(current)
                return current
            response_id = await leases.claim_response(waiter.course_id, waiter.block_id,
                                                      waiter.reviewer_id, conn, cap)
            if response_id is None:
                raise _NothingEligible
            # Pushed, not yet seen: a short first lease, so a reviewer who walked away
            # holds it up for minutes, not hours.
            assignment = await leases.lease(
                response_id, waiter.course_id, waiter.block_id, waiter.reviewer_id, now(),
                min(clocks.timing().first_open, clocks.timing().lease), conn, opened=False)
            await events.assigned(assignment)  # the outbox: commits with the lease
    except _NothingEligible:
        return None
    alarm.arm_for(assignment)
    return assignment


async def assign_waiting(course_id: str, block_id: str) -> list[PeerAssignment]:
    """Hand eligible responses to waiting reviewers, longest-waiting first, and push each
    assignment to that reviewer's pages. Safe to run in several processes at once: taking
    a waiter is a conditional update, so each waiter is assigned by exactly one of them.
    Reviewers who have waited longer than the wait setting are not served (they left)."""
    waiters = await PeerReviewer.filter(
        course_id=course_id, block_id=block_id, waiting_since__isnull=False,
        waiting_since__gte=clocks.waiting_after(now())).order_by(
        "waiting_since", "id").limit(WAITERS_PER_ROUND)
    if not waiters:
        return []
    block = await peer_block(course_id, block_id)
    assigned = []
    for waiter in waiters:
        assignment = await _assign_one(waiter, block)
        if assignment is not None:
            assigned.append(assignment)
    if assigned:
        await events.board_changed(course_id, block_id)
    return assigned
