"""The deadline schedule: every app process submits the attempts whose deadline passed
(once its grace has: quizzes.timing.GRACE_SECONDS), whether or not a browser is open, and
catches up after a restart (the database holds the deadlines).

A round claims a whole batch of overdue attempts at once (quizzes.attempts.hand_in: one
conditional UPDATE, one insert of audit rows, the events, in one transaction), and claims
again at once while batches come full: at a synchronized close an exam has thousands due
in the same second, and the claim is what submits them. Their grading submissions, which
queue the grading (quizzes.scoring), are stored a few at a time in the background while
later rounds go on claiming: the round never grades. Several processes may run a round at
the same moment; the conditional update lets exactly one of them submit each attempt.

Every few rounds the schedule also sweeps for handovers that stalled: an attempt handed in
whose handover to grading never stored its submission (the process died after the claim,
or the handover failed unexpectedly) would stay `submitted`, never graded. One still so a
lease after its hand-in and its last handover's claim is handed to grading again. Each
handover claims its attempt just before storing the submission (a conditional UPDATE of
the attempt's `claim`), so a slow handover that lost its attempt to the sweep, and all but
one of several sweeps at once, store nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from tortoise.expressions import Q

from core import clock
from grading.api import stored_answers
from models.quizzes import AttemptStatus, QuizAttempt
from quizzes.attempts import hand_in, hand_to_grading
from quizzes.timing import GRACE_SECONDS

log = logging.getLogger("coursewire.quizzes")

ROUND = 1.0  # seconds between rounds
BATCH = 200  # attempts claimed by one UPDATE
CLAIMS = 50  # batches one round claims at most (10,000 attempts)
HANDOVER_ON_STOP = 10.0  # seconds a stopping schedule waits for its grading handovers
AT_ONCE = 8  # grading submissions stored concurrently by one round
HANDOVER_LEASE = 120.0  # seconds a handover to grading may take before a sweep takes over
SWEEP_EVERY = 10  # rounds from one sweep for stalled handovers to the next


async def claim_overdue(limit: int | None = None, grace: float = GRACE_SECONDS
                        ) -> tuple[list[QuizAttempt], bool]:
    """Submit up to `limit` (BATCH) attempts still open `grace` seconds past their deadline
    (answers that arrived in time may still be saving: quizzes.timing.GRACE_SECONDS, or
    COURSEWIRE_QUIZ_GRACE_SECONDS in the app), in one transaction: those this call
    submitted, and whether more were due.

    The candidates are drawn at random from the earliest 2 x `limit` due (an UPDATE with
    LIMIT is not portable), so processes claiming at the same moment mostly take
    different attempts; the conditional update still decides."""
    limit = limit or BATCH
    due = Q(deadline_at__lte=clock.now() - timedelta(seconds=grace))
    ids = list(await QuizAttempt.filter(due, status=AttemptStatus.IN_PROGRESS).order_by(
        "deadline_at").limit(2 * limit).values_list("id", flat=True))
    if not ids:
        return [], False
    mine = random.sample(ids, min(limit, len(ids)))
    return await hand_in(due & Q(id__in=mine), by_server=True), len(ids) > limit


async def hand_in_overdue(grace: float = GRACE_SECONDS) -> list[QuizAttempt]:
    """Submit every attempt still open `grace` seconds past its deadline, a batch per claim,
    until none is left (at most CLAIMS batches a call); the attempts this call submitted."""
    claimed: list[QuizAttempt] = []
    for _ in range(CLAIMS):
        batch, more = await claim_overdue(grace=grace)
        claimed += batch
        if not more:
            break
    if claimed:
        log.info("submitted %d quiz attempts at their deadline", len(claimed))
    return claimed


async def submit_overdue(grace: float = GRACE_SECONDS) -> list[int]:
    """Submit every attempt still open `grace` seconds past its deadline, then hand them to
    grading; returns the ids of those this call submitted."""
    claimed = await hand_in_overdue(grace)
    await hand_to_grading(claimed, at_once=AT_ONCE)
    return sorted(a.id for a in claimed)


async def stalled_handovers(lease: float | None = None, limit: int | None = None
                            ) -> list[QuizAttempt]:
    """Up to `limit` (BATCH) attempts whose handover to grading stalled, newest first,
    their students prefetched: `submitted`, no submission linked and none stored that
    names them, handed in and last claimed by a handover over `lease` seconds
    (HANDOVER_LEASE) ago.

    Nothing else is taken: a reopened attempt is in progress again, a graded one or one
    whose submission was withdrawn or given up has its submission, one stored but not yet
    linked is grading's to link (quizzes.scoring), and one grading refused has no claim
    left (quizzes.attempts.hand_to_grading)."""
    cutoff = clock.now() - timedelta(seconds=HANDOVER_LEASE if lease is None else lease)
    # Newest first: those left to grading stay candidates, and must not crowd out new ones.
    found = await QuizAttempt.filter(
        Q(handover_at=None) | Q(handover_at__lt=cutoff), status=AttemptStatus.SUBMITTED,
        submission_id=None, claim__isnull=False, submitted_at__lt=cutoff,
    ).order_by("-submitted_at").limit(limit or BATCH).prefetch_related("user")
    if not found:
        return []
    answers = await stored_answers("quiz", {a.user_id for a in found})
    held = {answer.get("attempt") for answer in answers if isinstance(answer, dict)}
    return [a for a in found if a.id not in held]


async def recover_handovers(stalled: list[QuizAttempt]) -> list[int]:
    """Hand the `stalled` attempts to grading again (each handover claims its attempt
    first, so of several sweeps that found it one hands it over); the ids this call
    handed over."""
    recovered = await hand_to_grading(stalled, at_once=AT_ONCE)
    if recovered:
        log.info("handed %d quiz attempts to grading whose handover had stalled: %s",
                 len(recovered), recovered[:20])
    return recovered


async def sweep_stalled_handovers(lease: float | None = None) -> list[int]:
    """One sweep: find the stalled handovers and hand those attempts over again."""
    return await recover_handovers(await stalled_handovers(lease))


async def run_deadline_schedule(interval: float = ROUND, lease: float | None = None,
                                grace: float = GRACE_SECONDS) -> None:
    """Rounds every `interval` seconds. A round's hand-ins go to grading in the background,
    so the next round claims at once: at a synchronized close, handing every attempt in
    is the deadline's promise, and storing thousands of grading submissions one by one
    must not hold back the claims behind them. An attempt is due `grace` seconds after its
    deadline (COURSEWIRE_QUIZ_GRACE_SECONDS). Every SWEEP_EVERY rounds, handovers
    stalled for `lease` seconds (HANDOVER_LEASE) are handed over again, in the background
    too. Stopping waits briefly for those handovers."""
    handing: set[asyncio.Task[Any]] = set()

    def in_background(handover: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(handover)
        handing.add(task)
        task.add_done_callback(handing.discard)

    try:
        for number in itertools.count():
            try:
                claimed = await hand_in_overdue(grace)
                if claimed:
                    in_background(hand_to_grading(claimed, at_once=AT_ONCE))
                if number % SWEEP_EVERY == 0:
                    stalled = await stalled_handovers(lease)
                    if stalled:
                        in_background(recover_handovers(stalled))
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: log, try again next round
                log.exception("quiz deadline round failed")
            await asyncio.sleep(interval)
    finally:
        if handing:
            await asyncio.wait(handing, timeout=HANDOVER_ON_STOP)
