"""The relay's batches to the channel layer (realtime/layer.py): on Redis two pipelined
round trips per chunk instead of four per event, with channels_redis' own keys, so a
channel reads every message once, in the order sent, whichever group it came through.
Embedded mode runs the same checks on the in-memory layer (one group_send each)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from realtime.layer import PIPELINE_MESSAGES, RedisLayer, make_channel_layer, send_many
from tests.conftest import REDIS_URL


@pytest.fixture
async def layer():
    made = make_channel_layer(REDIS_URL, prefix=f"cw-test-{uuid.uuid4().hex[:8]}")
    assert isinstance(made, RedisLayer) == bool(REDIS_URL)
    yield made
    if REDIS_URL:
        await made.flush()


async def _read(layer, channel: str, count: int) -> list[dict]:
    got = []
    async with asyncio.timeout(10):
        for _ in range(count):
            got.append(await layer.receive(channel))
    return got


async def test_a_batch_reaches_every_member_in_order(layer):
    """Over a chunk's size, two groups interleaved: each channel gets its groups'
    messages once each, in the order sent (each message a later score than the one
    before: equal scores would be read in random order)."""
    both, only_a, only_b = [await layer.new_channel() for _ in range(3)]
    await layer.group_add("cw.a", both)
    await layer.group_add("cw.a", only_a)
    await layer.group_add("cw.b", both)
    await layer.group_add("cw.b", only_b)
    await layer.group_add("cw.nobody-else", only_b)
    count = PIPELINE_MESSAGES + 50
    sends = [("cw.a" if n % 3 else "cw.b", {"type": "hub.event", "n": n}) for n in range(count)]
    sends.append(("cw.empty", {"type": "hub.event", "n": -1}))  # a group with no members
    await send_many(layer, sends)
    a = [n for n in range(count) if n % 3]
    b = [n for n in range(count) if not n % 3]
    assert [m["n"] for m in await _read(layer, both, count)] == list(range(count))
    assert [m["n"] for m in await _read(layer, only_a, len(a))] == a
    assert [m["n"] for m in await _read(layer, only_b, len(b))] == b
    for channel in (both, only_a, only_b):  # nothing twice
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await layer.receive(channel)


async def test_a_channel_over_capacity_drops_the_excess_and_others_still_get_theirs(layer):
    full, other = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("cw.c", full)
    await layer.group_add("cw.c", other)
    layer.capacity = 5  # both layers read their channels' capacity from here
    await send_many(layer, [("cw.c", {"type": "hub.event", "n": n}) for n in range(8)])
    assert [m["n"] for m in await _read(layer, full, 5)] == [0, 1, 2, 3, 4]
    assert [m["n"] for m in await _read(layer, other, 5)] == [0, 1, 2, 3, 4]
