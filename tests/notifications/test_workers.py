"""The inbox's workers stop between rounds, and are cancelled only past their grace."""

from __future__ import annotations

import asyncio
import itertools

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


async def test_the_consumer_paces_its_rounds_and_drains_a_backlog_without_pause(monkeypatch):
    """Every commit rings the doorbell; rounds start at most one per gap (the commits rung
    meanwhile share the next), the cursor row is looked up once, and a full batch (a
    backlog) is followed by the next round at once."""
    from notifications import consumer
    from realtime.outbox import COMMITTED

    rounds: list[float] = []
    ensured: list[bool] = []
    backlog = [consumer.BATCH, consumer.BATCH]  # two full rounds, then a trickle

    async def fake_round(_url: str, *, cursor_known: bool = False) -> int:
        assert cursor_known
        rounds.append(asyncio.get_running_loop().time())
        return backlog.pop() if backlog else 1

    async def fake_ensure() -> None:
        ensured.append(True)

    monkeypatch.setattr(consumer, "consume_once", fake_round)
    monkeypatch.setattr(consumer, "ensure_cursor", fake_ensure)
    stopping = asyncio.Event()
    task = asyncio.create_task(consumer.run_consumer("https://cw.example", stopping,
                                                     poll_seconds=60, round_gap=0.2))
    for _ in range(60):  # 60 commits over about 0.6 s
        COMMITTED.ring([{"seq": 1}])
        await asyncio.sleep(0.01)
    stopping.set()
    await asyncio.wait_for(task, 5)
    # The backlog's three rounds back to back, then at most one round per 0.2 s.
    assert rounds[2] - rounds[0] < 0.1
    assert 4 <= len(rounds) <= 3 + 5, rounds
    gaps = [b - a for a, b in itertools.pairwise(rounds[2:])]
    assert all(gap >= 0.19 for gap in gaps), gaps
    assert ensured == [True]
