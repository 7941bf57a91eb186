"""Concurrent fresh reads of one key, shared without going stale.

A fresh read must see every write that committed before it was asked for. At an exam's
start every student's start reads the course's branch pointer fresh, 150 a second, and at
its close every hand-in does, thousands at once: one MongoDB round trip each
(`bench/exam_storm.py --statements` counts them). Here callers asking for the same key
while a read of it is on its way wait for the next read, which begins once that one ends,
and share it. Each caller so gets a read that began after it asked (never the one already
on its way, which may have missed a write), and at most one read per key is on its way at
a time: under load, one round trip serves every caller that arrived during the last.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class FreshReads(Generic[K, V]):
    def __init__(self, read: Callable[[K], Awaitable[V]]) -> None:
        self._read = read
        self._running: dict[K, asyncio.Future[V]] = {}  # the read on its way
        self._next: dict[K, asyncio.Future[V]] = {}  # callers waiting for the one after it
        self._tasks: set[asyncio.Task[None]] = set()  # held: the loop keeps weak references

    async def get(self, key: K) -> V:
        loop = asyncio.get_running_loop()
        running = self._running.get(key)
        if running is not None and running.get_loop() is not loop:
            # Left by an event loop that closed mid-read (tests run many loops in turn).
            self._running.pop(key, None)
            self._next.pop(key, None)
        waiting = self._next.get(key)
        if waiting is None:
            waiting = loop.create_future()
            if key in self._running:
                self._next[key] = waiting  # begins when the running read ends
            else:
                self._begin(key, waiting)
        # One caller's cancellation does not cancel the read the others share.
        return await asyncio.shield(waiting)

    def _begin(self, key: K, result: asyncio.Future[V]) -> None:
        self._running[key] = result
        task = asyncio.get_running_loop().create_task(self._run(key, result))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: K, result: asyncio.Future[V]) -> None:
        try:
            value = await self._read(key)
        except asyncio.CancelledError:  # the loop is closing
            result.cancel()
            self._end(key, result, begin_next=False)
            raise
        except GeneratorExit:  # collected after its loop closed: touch no future of it
            if self._running.get(key) is result:
                del self._running[key]
                self._next.pop(key, None)
            raise
        except Exception as exc:  # every waiter gets the read's own error
            if not result.done():
                result.set_exception(exc)
                result.exception()  # retrieved: nobody may be left waiting for it
        else:
            if not result.done():
                result.set_result(value)
        self._end(key, result, begin_next=True)

    def _end(self, key: K, result: asyncio.Future[V], *, begin_next: bool) -> None:
        if self._running.get(key) is not result:
            return  # cleared by a later event loop's caller
        del self._running[key]
        waiting = self._next.pop(key, None)
        if waiting is None:
            return
        if begin_next:
            self._begin(key, waiting)
        else:
            waiting.cancel()
