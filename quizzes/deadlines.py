"""The deadline schedule: every app process submits the attempts whose deadline passed,
whether or not a browser is open, and catches up after a restart (the database holds
the deadlines). Several processes may find the same attempt; finish_attempt's conditional
update lets exactly one of them submit it."""

from __future__ import annotations

import asyncio
import logging
import random

from core import clock
from models.quizzes import AttemptStatus, QuizAttempt
from quizzes.attempts import finish_attempt

log = logging.getLogger("coursewire.quizzes")

ROUND = 1.0  # seconds between rounds
BATCH = 200
AT_ONCE = 8  # attempts handed in concurrently by one round


async def submit_overdue() -> list[int]:
    """Submit every attempt still open past its deadline; returns those this call did.

    A few at a time, not one after another: each hand-in waits on its own round trips,
    and at a synchronized close an exam has thousands due at once. The batch is shuffled
    so that processes running this at the same moment mostly take different attempts (the
    conditional update still decides)."""
    due = list(await QuizAttempt.filter(status=AttemptStatus.IN_PROGRESS,
                                        deadline_at__lte=clock.now()).order_by(
        "deadline_at").limit(BATCH).values_list("id", flat=True))
    random.shuffle(due)
    slots = asyncio.Semaphore(AT_ONCE)

    async def finish(attempt_id: int) -> int | None:
        async with slots:
            return attempt_id if await finish_attempt(attempt_id, by_server=True) else None

    done = sorted(a for a in await asyncio.gather(*(finish(a) for a in due)) if a is not None)
    if done:
        log.info("submitted %d quiz attempts at their deadline", len(done))
    return done


async def run_deadline_schedule(interval: float = ROUND) -> None:
    while True:
        try:
            await submit_overdue()
        except asyncio.CancelledError:
            raise
        except Exception:  # a database hiccup: log, try again next round
            log.exception("quiz deadline round failed")
        await asyncio.sleep(interval)
