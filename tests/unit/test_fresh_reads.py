"""content_store.fresh_reads: callers of one key share reads, and each gets a read that
began after it asked (never one already on its way, which may miss a write)."""

from __future__ import annotations

import asyncio

import pytest

from content_store.fresh_reads import FreshReads


class Source:
    """A value written by the test; each read returns it as it is when the read *begins*,
    after a round trip the test controls."""

    def __init__(self) -> None:
        self.value = 0
        self.reads = 0
        self.gate = asyncio.Event()
        self.fail: Exception | None = None

    async def read(self, key: str) -> tuple[str, int]:
        self.reads += 1
        seen = self.value
        await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return key, seen


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_caller_during_a_read_gets_the_next_read_which_sees_a_later_write():
    source = Source()
    reads = FreshReads(source.read)
    first = asyncio.create_task(reads.get("c"))
    await settle()
    source.value = 1  # written while the first read is on its way: it may not see it
    late = [asyncio.create_task(reads.get("c")) for _ in range(50)]
    await settle()
    assert source.reads == 1  # the fifty wait: one read at a time per key
    source.gate.set()
    assert await first == ("c", 0)
    assert [await t for t in late] == [("c", 1)] * 50
    assert source.reads == 2  # one read served all fifty


async def test_keys_are_read_apart_and_an_idle_key_reads_at_once():
    source = Source()
    source.gate.set()
    reads = FreshReads(source.read)
    assert await asyncio.gather(reads.get("a"), reads.get("b")) == [("a", 0), ("b", 0)]
    source.value = 2
    assert await reads.get("a") == ("a", 2)
    assert source.reads == 3


async def test_an_error_reaches_every_caller_of_that_read_and_the_next_read_is_fresh():
    source = Source()
    reads = FreshReads(source.read)
    source.fail = LookupError("no course")
    waiting = [asyncio.create_task(reads.get("c")) for _ in range(3)]
    await settle()
    source.gate.set()
    for task in waiting:
        with pytest.raises(LookupError):
            await task
    source.fail = None
    assert await reads.get("c") == ("c", 0)


async def test_a_cancelled_caller_does_not_cancel_the_read_the_others_share():
    source = Source()
    reads = FreshReads(source.read)
    gone, stays = asyncio.create_task(reads.get("c")), asyncio.create_task(reads.get("c"))
    await settle()
    gone.cancel()
    await settle()
    source.gate.set()
    assert await stays == ("c", 0)
    assert gone.cancelled()


def test_a_read_left_by_a_closed_event_loop_does_not_block_the_next_loop():
    source = Source()
    reads = FreshReads(source.read)
    loop = asyncio.new_event_loop()

    async def abandon() -> None:
        asyncio.get_running_loop().create_task(reads.get("c"))
        await settle()  # the read is on its way when this loop closes, its tasks unfinished

    loop.run_until_complete(abandon())
    loop.close()

    async def again() -> tuple[str, int]:
        source.gate = asyncio.Event()
        source.gate.set()
        return await asyncio.wait_for(reads.get("c"), 5)

    assert asyncio.run(again()) == ("c", 0)
