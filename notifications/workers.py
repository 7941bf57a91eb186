"""Workers that stop between rounds: stopping a Runtime lets the consumer or the digest
finish the query or transaction it is in (bounded by `grace`) instead of cancelling it
mid-query, and the wait between rounds ends at once when it stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from core.install import Stop, Worker

GRACE_SECONDS = 5.0


def stoppable_worker(name: str, run: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
                     grace: float = GRACE_SECONDS) -> Worker:
    """A worker running `run(stopping)`, which returns soon after `stopping` is set."""

    async def start() -> Stop:
        stopping = asyncio.Event()
        task = asyncio.create_task(run(stopping), name=name)

        async def stop() -> None:
            stopping.set()
            try:
                async with asyncio.timeout(grace):
                    await asyncio.shield(task)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        return stop

    return start


async def wait_for_any(*events: asyncio.Event, seconds: float) -> None:
    """Until one of `events` is set, or `seconds` passed."""
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
