"""The deadline schedule: every app process submits the attempts whose deadline passed,
whether or not a browser is open, and catches up after a restart (the database holds
the deadlines).

A round claims a whole batch of overdue attempts at once (quizzes.attempts.hand_in: one
conditional UPDATE, one insert of audit rows, the events, in one transaction), and claims
again at once while batches come full: at a synchronized close an exam has thousands due
in the same second, and the claim is what submits them. Their grading submissions, which
queue the grading (quizzes.scoring), are stored a few at a time in the background while
later rounds go on claiming: the round never grades. Several processes may run a round at
the same moment; the conditional update lets exactly one of them submit each attempt.
"""

from __future__ import annotations

import asyncio
import logging
import random

from tortoise.expressions import Q

from core import clock
from models.quizzes import AttemptStatus, QuizAttempt
from quizzes.attempts import hand_in, hand_to_grading

log = logging.getLogger("coursewire.quizzes")

ROUND = 1.0  # seconds between rounds
BATCH = 200  # attempts claimed by one UPDATE
CLAIMS = 50  # batches one round claims at most (10,000 attempts)
HANDOVER_ON_STOP = 10.0  # seconds a stopping schedule waits for its grading handovers
AT_ONCE = 8  # grading submissions stored concurrently by one round


async def claim_overdue(limit: int | None = None) -> tuple[list[QuizAttempt], bool]:
    """Submit up to `limit` (BATCH) attempts still open past their deadline, in one
    transaction: those this call submitted, and whether more were due.

    The candidates are drawn at random from the earliest 2 x `limit` due (an UPDATE with
    LIMIT is not portable), so processes claiming at the same moment mostly take
    different attempts; the conditional update still decides."""
    limit = limit or BATCH
    due = Q(deadline_at__lte=clock.now())
    ids = list(await QuizAttempt.filter(due, status=AttemptStatus.IN_PROGRESS).order_by(
        "deadline_at").limit(2 * limit).values_list("id", flat=True))
    if not ids:
        return [], False
    mine = random.sample(ids, min(limit, len(ids)))
    return await hand_in(due & Q(id__in=mine), by_server=True), len(ids) > limit


async def hand_in_overdue() -> list[QuizAttempt]:
    """Submit every attempt still open past its deadline, a batch per claim, until none is
    left (at most CLAIMS batches a call); the attempts this call submitted."""
    claimed: list[QuizAttempt] = []
    for _ in range(CLAIMS):
        batch, more = await claim_overdue()
        claimed += batch
        if not more:
            break
    if claimed:
        log.info("submitted %d quiz attempts at their deadline", len(claimed))
    return claimed


async def submit_overdue() -> list[int]:
    """Submit every attempt still open past its deadline, then hand them to grading;
    returns the ids of those this call submitted."""
    claimed = await hand_in_overdue()
    await hand_to_grading(claimed, at_once=AT_ONCE)
    return sorted(a.id for a in claimed)


async def run_deadline_schedule(interval: float = ROUND) -> None:
    """Rounds every `interval` seconds. A round's hand-ins go to grading in the background,
    so the next round claims at once: at a synchronized close, handing every attempt in
    is the deadline's promise, and storing thousands of grading submissions one by one
    must not hold back the claims behind them. Stopping waits briefly for those handovers."""
    handing: set[asyncio.Task[None]] = set()
    try:
        while True:
            try:
                claimed = await hand_in_overdue()
                if claimed:
                    task = asyncio.create_task(hand_to_grading(claimed, at_once=AT_ONCE))
                    handing.add(task)
                    task.add_done_callback(handing.discard)
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: log, try again next round
                log.exception("quiz deadline round failed")
            await asyncio.sleep(interval)
    finally:
        if handing:
            await asyncio.wait(handing, timeout=HANDOVER_ON_STOP)
