"""Fixed-window rate limits, in Redis when configured (shared by all processes) or in memory."""

from __future__ import annotations

import math
import time
from typing import Protocol

import redis.asyncio as aioredis

# Decrement, but never below zero and never creating a key (it may just have expired).
_UNDO = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


class RateLimiter(Protocol):
    async def count(self, key: str) -> int: ...
    async def hit(self, key: str, window_seconds: int) -> int: ...
    async def undo(self, key: str) -> None: ...
    async def reset(self, key: str) -> None: ...
    async def hold(self, key: str, seconds: int) -> None: ...
    async def held_for(self, key: str) -> int: ...
    async def close(self) -> None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}

    async def count(self, key: str) -> int:
        n, expires = self._counts.get(key, (0, 0.0))
        return n if expires > time.monotonic() else 0

    async def hit(self, key: str, window_seconds: int) -> int:
        now = time.monotonic()
        n, expires = self._counts.get(key, (0, 0.0))
        if expires <= now:
            n, expires = 0, now + window_seconds
        self._counts[key] = (n + 1, expires)
        return n + 1

    async def undo(self, key: str) -> None:
        """Take back one hit in the current window (an attempt that turned out fine)."""
        n, expires = self._counts.get(key, (0, 0.0))
        if n > 0 and expires > time.monotonic():
            self._counts[key] = (n - 1, expires)

    async def reset(self, key: str) -> None:
        self._counts.pop(key, None)

    async def hold(self, key: str, seconds: int) -> None:
        """Make `key` wait `seconds` from now (see held_for)."""
        self._counts[key] = (1, time.monotonic() + seconds)

    async def held_for(self, key: str) -> int:
        """Whole seconds left on a hold of `key`, 0 when there is none."""
        _, expires = self._counts.get(key, (0, 0.0))
        return max(0, math.ceil(expires - time.monotonic()))

    async def close(self) -> None:
        self._counts.clear()


class RedisRateLimiter:
    def __init__(self, url: str, prefix: str = "cw:rl:") -> None:
        self._redis = aioredis.from_url(url)
        self._prefix = prefix

    async def count(self, key: str) -> int:
        value = await self._redis.get(self._prefix + key)
        return int(value or 0)

    async def hit(self, key: str, window_seconds: int) -> int:
        k = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(k)
            pipe.expire(k, window_seconds, nx=True)
            n, _ = await pipe.execute()
        return int(n)

    async def undo(self, key: str) -> None:
        """Take back one hit in the current window (an attempt that turned out fine)."""
        await self._redis.eval(_UNDO, 1, self._prefix + key)

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def hold(self, key: str, seconds: int) -> None:
        """Make `key` wait `seconds` from now (see held_for)."""
        await self._redis.set(self._prefix + key, 1, ex=max(1, seconds))

    async def held_for(self, key: str) -> int:
        """Whole seconds left on a hold of `key`, 0 when there is none."""
        return max(0, int(await self._redis.ttl(self._prefix + key)))

    async def close(self) -> None:
        await self._redis.aclose()
