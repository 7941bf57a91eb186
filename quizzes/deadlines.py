"""The deadline schedule: every app process submits the attempts whose deadline passed,
whether or not a browser is open, and catches up after a restart (the database holds
the deadlines). Several processes may find the same attempt; finish_attempt's conditional
update lets exactly one of them submit it."""

from __future__ import annotations

import asyncio
import logging

from core import clock
from models.quizzes import AttemptStatus, QuizAttempt
from quizzes.attempts import finish_attempt

log = logging.getLogger("coursewire.quizzes")

ROUND = 1.0  # seconds between rounds
BATCH = 200


async def submit_overdue() -> list[int]:
    """Submit every attempt still open past its deadline; returns those this call did."""
    due = await QuizAttempt.filter(status=AttemptStatus.IN_PROGRESS,
                                   deadline_at__lte=clock.now()).order_by(
        "deadline_at").limit(BATCH).values_list("id", flat=True)
    done = []
    for attempt_id in due:
        if await finish_attempt(attempt_id, by_server=True):
            done.append(attempt_id)
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
