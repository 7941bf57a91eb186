"""Who has a live page open: for the topic kinds a domain watches, this process's sockets of
one audience on each topic, told to the domain in batches.

A domain's install() registers a `PresenceWatch` per topic kind (host.presence; quizzes:
a student's attempt page, `quiz-attempt:<id>` as `self`, for the proctor page's "page
open"). The hub counts each joining and leaving socket here (`joined`, `left`); every
`FLUSH_SECONDS` the watch is handed the keys whose first socket on this process arrived
and those whose last one left (a socket that came and went between two flushes is no
change), and every `RENEW_SECONDS` the keys still open here, so the domain can keep a lease
that outlives this process only briefly if it dies without a word (kill -9). When the
process stops, everything it held is told as left.

Only the domain knows what presence means across processes (it records this process's
share under `process`, a random id per hub); this module only counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("coursewire.presence")

FLUSH_SECONDS = 0.5
RENEW_SECONDS = 30.0


@dataclass(frozen=True)
class PresenceWatch:
    """What a domain is told about one topic kind's sockets of `audience`."""
    audience: str
    # (process id, keys whose first socket here arrived, keys whose last socket here left)
    changed: Callable[[str, set[str], set[str]], Awaitable[None]]
    # (process id, every key with a socket here): renew this process's lease on them
    renew: Callable[[str, set[str]], Awaitable[None]]


class PresenceWatches:
    """Topic kind -> its watch; registering a kind again replaces it."""

    def __init__(self) -> None:
        self._watches: dict[str, PresenceWatch] = {}

    def register(self, kind: str, watch: PresenceWatch) -> None:
        self._watches[kind] = watch

    def get(self, kind: str) -> PresenceWatch | None:
        return self._watches.get(kind)

    def __bool__(self) -> bool:
        return bool(self._watches)


class Presence:
    """This process's count of watched sockets per topic, and the flushes to the domains."""

    def __init__(self, watches: PresenceWatches) -> None:
        self.watches = watches
        self.process = secrets.token_hex(8)
        self._counts: Counter[str] = Counter()  # topic -> sockets here
        self._told: set[str] = set()  # topics the domains were last told are open here
        self._task: asyncio.Task[None] | None = None
        self._flushing = asyncio.Lock()

    def _watch(self, topic: str, audience: str) -> PresenceWatch | None:
        kind = topic.partition(":")[0]
        watch = self.watches.get(kind)
        return watch if watch is not None and watch.audience == audience else None

    def joined(self, topic: str, audience: str) -> None:
        if self._watch(topic, audience) is not None:
            self._counts[topic] += 1

    def left(self, topic: str, audience: str) -> None:
        if self._watch(topic, audience) is not None and self._counts[topic] > 0:
            self._counts[topic] -= 1
            if not self._counts[topic]:
                del self._counts[topic]

    def start(self) -> None:
        if self.watches and self._task is None:
            self._task = asyncio.create_task(self._run(), name="presence")

    async def stop(self) -> None:
        """Stop flushing, and tell the domains this process holds nothing any more."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        self._counts.clear()
        try:
            await self.flush()
        except Exception:  # the stop goes on; the domain's lease runs out instead
            log.exception("presence: telling the domains this process closed failed")

    async def flush(self) -> None:
        """Tell each watch what arrived and what left since the last flush."""
        async with self._flushing:
            now_open = set(self._counts)
            arrived, gone = now_open - self._told, self._told - now_open
            if not arrived and not gone:
                return
            for kind, (came, went) in _by_kind(arrived, gone).items():
                watch = self.watches.get(kind)
                if watch is not None:
                    await watch.changed(self.process, came, went)
            self._told = now_open

    async def renew(self) -> None:
        by_kind = _by_kind(self._told, set())
        for kind, (keys, _gone) in by_kind.items():
            watch = self.watches.get(kind)
            if watch is not None:
                await watch.renew(self.process, keys)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        renew_at = loop.time() + RENEW_SECONDS
        failing = False
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await self.flush()
                if loop.time() >= renew_at:
                    renew_at = loop.time() + RENEW_SECONDS
                    await self.renew()
                failing = False
            except Exception:
                # The next flush tries again: what was not told is still different. Logged
                # once per outage, not twice a second.
                if not failing:
                    log.exception("presence: telling the domains failed; retrying")
                failing = True


def _by_kind(arrived: set[str], gone: set[str]) -> dict[str, tuple[set[str], set[str]]]:
    """topic names -> kind -> (keys arrived, keys gone)."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    for topics, index in ((arrived, 0), (gone, 1)):
        for topic in topics:
            kind, _, key = topic.partition(":")
            out.setdefault(kind, (set(), set()))[index].add(key)
    return out
