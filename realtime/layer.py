"""The channel layer that carries events between processes.

channels_redis when REDIS_URL is set, else the in-memory layer (single process).

`send_many` hands the relay's batches to the layer. channels_redis sends one group message
in four round trips to Redis (expire the group's members, read them, expire the channels'
old messages, add the message); an exam's autosave is three events, so twelve. `RedisLayer`
sends a whole batch in two pipelined round trips, with the same keys, Lua script and
capacity rule as channels_redis' `group_send`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from channels.layers import BaseChannelLayer, InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer

log = logging.getLogger("coursewire.layer")

Send = tuple[str, dict[str, Any]]  # (group, message)
# Messages per pipeline: a close's commit can hold tens of thousands of events.
PIPELINE_MESSAGES = 200

# channels_redis' group_send script: add the message to each channel not over capacity.
_GROUP_SEND = """
local over_capacity = 0
local current_time = ARGV[#ARGV - 1]
local expiry = ARGV[#ARGV]
for i=1,#KEYS do
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
        redis.call('ZADD', KEYS[i], current_time, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class RedisLayer(RedisChannelLayer):
    """channels_redis with `group_send_many`."""

    async def group_send_many(self, sends: list[Send]) -> None:
        """`group_send` for each (group, message), in order, in two round trips per
        PIPELINE_MESSAGES. All or nothing as far as the caller knows: on an error some may
        have gone (the relay's sweep sends them again; hubs drop repeats)."""
        if self.ring_size != 1:  # several Redis servers: the groups may live apart
            for group, message in sends:
                await self.group_send(group, message)
            return
        for at in range(0, len(sends), PIPELINE_MESSAGES):
            await self._send_chunk(sends[at:at + PIPELINE_MESSAGES])

    async def _send_chunk(self, sends: list[Send]) -> None:
        connection = self.connection(0)
        groups = list(dict.fromkeys(group for group, _ in sends))
        pipe = connection.pipeline(transaction=False)
        for group in groups:
            key = self._group_key(group)
            pipe.zremrangebyscore(key, min=0, max=int(time.time()) - self.group_expiry)
            pipe.zrange(key, 0, -1)
        replies = await pipe.execute()
        members = {group: [m.decode("utf8") for m in replies[2 * n + 1]]
                   for n, group in enumerate(groups)}
        pipe = connection.pipeline(transaction=False)
        now = time.time()
        cleaned: set[str] = set()
        queued, scripts = 0, []  # scripts: where each eval's reply is in the pipeline's
        for group, message in sends:
            by_connection, messages, capacities = self._map_channel_keys_to_connection(
                members[group], message)
            keys = [key for keys in by_connection.values() for key in keys]
            if not keys:
                continue
            for key in keys:
                if key not in cleaned:  # old messages out before this chunk's first add
                    cleaned.add(key)
                    pipe.zremrangebyscore(key, min=0, max=int(now) - int(self.expiry))
                    scripts.append(False)
            # A channel's messages are read lowest score first: each message of the chunk
            # a later time than the one before, or ties would be read in random order.
            pipe.eval(_GROUP_SEND, len(keys), *keys, *[messages[k] for k in keys],
                      *[capacities[k] for k in keys], now + queued * 1e-5, self.expiry)
            queued += 1
            scripts.append(True)
        if not queued:
            return
        replies = await pipe.execute()
        over = sum(int(r) for r, script in zip(replies, scripts, strict=True) if script)
        if over:
            log.info("%s channel messages over capacity, dropped", over)


async def send_many(layer: BaseChannelLayer, sends: list[Send]) -> None:
    """Each (group, message) to the layer, in order: batched where the layer can."""
    batched = getattr(layer, "group_send_many", None)
    if batched is not None:
        await batched(sends)
        return
    for group, message in sends:
        await layer.group_send(group, message)

# A hub may fall behind for a moment under a publish burst; a roomy channel avoids drops.
CHANNEL_CAPACITY = 10_000


def make_channel_layer(redis_url: str | None, prefix: str = "cw") -> BaseChannelLayer:
    if redis_url is None:
        return InMemoryChannelLayer(capacity=CHANNEL_CAPACITY, expiry=60)
    host = {
        "address": redis_url,
        # redis-py 8's default 5 s socket timeout kills the layer's idle blocking read,
        # and its pool raises at 100 connections.
        "socket_timeout": None,
        "max_connections": 10_000,
    }
    return RedisLayer(hosts=[host], prefix=f"{prefix}:asgi", capacity=CHANNEL_CAPACITY,
                             expiry=60)


def group_name(topic: str) -> str:
    """Channels group names allow only [A-Za-z0-9._-] and < 100 chars; topics don't fit."""
    return "cw." + hashlib.sha1(topic.encode()).hexdigest()
