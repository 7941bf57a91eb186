"""The inbox's workers stop between rounds, and are cancelled only past their grace."""

from __future__ import annotations

import asyncio

from notifications.workers import stoppable_worker, wait_for_any


async def test_a_worker_finishes_its_round_when_stopped():
    rounds: list[str] = []

    async def run(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            rounds.append("round")
            await wait_for_any(stopping, seconds=60)
        rounds.append("finished")

    stop = await stoppable_worker("t", run)()
    await asyncio.sleep(0)
    await stop()  # returns at once: the 60 s wait ended when it stopped
    assert rounds == ["round", "finished"]


async def test_a_worker_that_does_not_stop_is_cancelled_after_its_grace():
    cancelled = asyncio.Event()

    async def stubborn(_stopping: asyncio.Event) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    stop = await stoppable_worker("t", stubborn, grace=0.05)()
    await asyncio.sleep(0)
    await stop()
    assert cancelled.is_set()
