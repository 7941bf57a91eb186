"""The fair review queue: which response a reviewer gets next, and leasing it safely.

Order (`fair_key`): fewest completed-plus-leased peer assessments (`load`), then the
oldest, then the lowest id. Never the reviewer's own response, never one they already
hold or assessed, never a cancelled one. ORA2 serves oldest-first and late submitters
starve (edx-ora2#177); serving the least-reviewed first gives every response its turn.
A response is *eligible* while its load is below `graded_by` (it still needs reviews).
A reviewer who still owes their `must_grade` reviews may also be given one that has
enough (over-grading, as ORA2), so nobody is stuck unable to finish; anyone else with
nothing eligible waits, and is handed the next response that needs reviews.

Leasing under concurrency. A lease is one transaction that
1. updates the reviewer's PeerReviewer row (a row lock on PostgreSQL, the write lock on
   SQLite): one reviewer's concurrent requests run one after another, so each reviewer
   holds at most one open lease per block and gets the same one back;
2. claims a response at the lowest eligible load `L`:
   - where the database locks rows (PostgreSQL): `SELECT ... WHERE load <= L ORDER BY
     fair order LIMIT 1 FOR UPDATE SKIP LOCKED`. Concurrent pickers skip rows another
     transaction is claiming instead of queueing behind them, and PostgreSQL re-checks
     `load <= L` on a row committed meanwhile, so a response that just got its lease
     from someone else is skipped rather than leased twice at the same level;
   - where it does not (SQLite, one writer at a time): a conditional
     `UPDATE ... SET load = load + 1 WHERE id = ? AND load = ?` on the candidates in
     order; zero rows means someone else moved it first, so try the next one.
   Either way the claim bumps `load` in the same transaction as the assignment insert.
3. inserts the assignment (unique per response and reviewer: no double review even if
   everything above were wrong).
The dialect decides the claim strategy (`capabilities.support_for_update`), not the
deployment mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Subquery

from models.peer_review import (
    AssignmentStatus,
    Kind,
    PeerAssignment,
    PeerResponse,
    PeerReviewer,
    ResponseStatus,
)

CLAIM_ROUNDS = 5
CAS_CANDIDATES = 20


# -- the order, pure (the simulation and the property tests use the same functions) ----

@dataclass(frozen=True)
class Candidate:
    id: int
    author_id: int
    load: int
    submitted_at: float | datetime


def fair_key(c: Candidate) -> tuple[object, ...]:
    return (c.load, c.submitted_at, c.id)


def fifo_key(c: Candidate) -> tuple[object, ...]:
    """ORA2's order, for comparison: oldest first."""
    return (c.submitted_at, c.id)


def choose(candidates: Iterable[Candidate], reviewer_id: int, seen: set[int],
           key=fair_key, cap: int | None = None) -> Candidate | None:
    """The response `reviewer_id` should get next, or None (they wait).

    `seen`: responses the reviewer already holds or assessed; `cap`: graded_by, or None
    when the reviewer may over-grade (they still owe reviews)."""
    eligible = [c for c in candidates if c.author_id != reviewer_id and c.id not in seen
                and (cap is None or c.load < cap)]
    return min(eligible, key=key, default=None)


# -- the database side ---------------------------------------------------------------

def eligible_for(course_id: str, block_id: str, reviewer_id: int,
                 conn: BaseDBAsyncClient):
    """Active responses of the block that `reviewer_id` may be given."""
    held_or_done = PeerAssignment.filter(
        course_id=course_id, block_id=block_id, reviewer_id=reviewer_id,
        status__in=[AssignmentStatus.OPEN, AssignmentStatus.DONE]).values("response_id")
    return PeerResponse.filter(
        course_id=course_id, block_id=block_id, status=ResponseStatus.ACTIVE,
    ).exclude(author_id=reviewer_id).exclude(id__in=Subquery(held_or_done)).using_db(conn)


async def reviewer_row(course_id: str, block_id: str, reviewer_id: int) -> PeerReviewer:
    row, _ = await PeerReviewer.get_or_create(course_id=course_id, block_id=block_id,
                                              reviewer_id=reviewer_id)
    return row


async def take_turn(row_id: int, conn: BaseDBAsyncClient, *, from_waiting: bool = False
                    ) -> bool:
    """Step 1: lock the reviewer's row for this transaction. With `from_waiting`, only if
    they are still waiting (the assigner's claim on a waiter), and stop their waiting."""
    query = PeerReviewer.filter(id=row_id).using_db(conn)
    if from_waiting:
        return bool(await query.filter(waiting_since__isnull=False).update(
            waiting_since=None, turns=F("turns") + 1))
    return bool(await query.update(turns=F("turns") + 1))


async def open_lease(course_id: str, block_id: str, reviewer_id: int,
                     conn: BaseDBAsyncClient) -> PeerAssignment | None:
    return await PeerAssignment.filter(
        course_id=course_id, block_id=block_id, reviewer_id=reviewer_id, kind=Kind.PEER,
        status=AssignmentStatus.OPEN).using_db(conn).order_by("id").first()


async def _claim_locking(base, floor: int, conn: BaseDBAsyncClient) -> int | None:
    # `.only`, not `.values_list`: Tortoise drops FOR UPDATE from values queries.
    rows = await base.filter(load__lte=floor).order_by("load", "submitted_at", "id").limit(
        1).select_for_update(skip_locked=True, of=("peer_responses",)).only("id")
    if not rows:
        return None
    await PeerResponse.filter(id=rows[0].id).using_db(conn).update(load=F("load") + 1)
    return rows[0].id


async def _claim_conditional(base, floor: int, conn: BaseDBAsyncClient) -> int | None:
    rows = await base.filter(load__lte=floor).order_by("load", "submitted_at", "id").limit(
        CAS_CANDIDATES).values_list("id", "load")
    for response_id, load in rows:
        moved = await PeerResponse.filter(id=response_id, load=load,
                                          status=ResponseStatus.ACTIVE).using_db(conn).update(
            load=F("load") + 1)
        if moved:
            return response_id
    return None


async def claim_response(course_id: str, block_id: str, reviewer_id: int,
                         conn: BaseDBAsyncClient, cap: int | None = None) -> int | None:
    """Step 2: bump the load of the fairest eligible response and return its id.

    `cap`: only responses with load below it (None: any load, i.e. over-grading)."""
    claim = _claim_locking if conn.capabilities.support_for_update else _claim_conditional
    limit = (1 << 30) if cap is None else cap - 1
    for _ in range(CLAIM_ROUNDS):
        base = eligible_for(course_id, block_id, reviewer_id, conn)
        floor = await base.order_by("load").limit(1).values_list("load", flat=True)
        if not floor or floor[0] > limit:
            return None
        claimed = await claim(base, floor[0], conn)
        if claimed is not None:
            return claimed
    # Contended every round: take whatever is eligible, fairness second to progress.
    return await claim(eligible_for(course_id, block_id, reviewer_id, conn), limit, conn)


async def lease(response_id: int, course_id: str, block_id: str, reviewer_id: int,
                now: datetime, lease_for: timedelta, conn: BaseDBAsyncClient, *,
                opened: bool = True) -> PeerAssignment:
    """Step 3: the assignment row (reusing the reviewer's expired one for this response).

    `opened`: the reviewer asked for it and sees it now; False for work pushed to a waiter,
    whose (short) first lease is extended when they open it."""
    expires = now + lease_for
    opened_at = now if opened else None
    previous = await PeerAssignment.filter(response_id=response_id,
                                           reviewer_id=reviewer_id).using_db(conn).first()
    if previous is not None:
        previous.status, previous.kind = AssignmentStatus.OPEN, Kind.PEER
        previous.leased_at, previous.expires_at = now, expires
        previous.opened_at = opened_at
        await previous.save(using_db=conn)
        return previous
    return await PeerAssignment.create(
        response_id=response_id, reviewer_id=reviewer_id, course_id=course_id,
        block_id=block_id, kind=Kind.PEER, status=AssignmentStatus.OPEN, leased_at=now,
        expires_at=expires, opened_at=opened_at, using_db=conn)


async def release(assignment: PeerAssignment, status: AssignmentStatus,
                  conn: BaseDBAsyncClient) -> bool:
    """End an open lease without an assessment (expired, cancelled); its response's load
    drops back. False if it was no longer open (someone else ended it first)."""
    moved = await PeerAssignment.filter(id=assignment.id, status=AssignmentStatus.OPEN
                                        ).using_db(conn).update(status=status)
    if moved:
        await PeerResponse.filter(id=assignment.response_id).using_db(conn).update(
            load=F("load") - 1)
    return bool(moved)


def order_candidates(candidates: Sequence[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=fair_key)
