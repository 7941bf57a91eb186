"""Which languages live HTML pages read, on every process, so a publish renders only those.

`in_every_language` (realtime/publish.py) renders an event's HTML once per language, in the
process that made the change, which does not know the languages of the sockets on other
processes. Rendering all three was a fifth to a quarter of an exam autosave's CPU
(bench/save_cost.py --profile), for languages nobody on the box was reading. Now:

- Each hub counts the languages of its HTML sockets (`LIVE.joined`/`LIVE.left`) and, with
  Redis, announces them: a key per language (`<prefix>:live-language:<code>`) that expires
  unless a process holding such a socket renews it (`ANNOUNCE_SECONDS`, `EXPIRE_SECONDS`).
- Every process with a hub reads those keys every `REFRESH_SECONDS`.
- A publish renders English (every fragment's fallback) and the languages read or held
  locally, and records which (`RENDERED_KEY` in the HTML, see `mark`). A process that does not
  know (no hub: the grading worker, scripts; or before its first read) renders them all.
- A hub handed an event not rendered in a socket's language, which happens only in the
  moment after a socket in a language new to the whole deployment opened on another
  process, closes that socket for resync: the page reconnects and renders its regions from
  the database, in its language (realtime/resync.py). It never shows a fragment in another
  language.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger("coursewire.languages")

REFRESH_SECONDS = 1.0
ANNOUNCE_SECONDS = 20.0
EXPIRE_SECONDS = 60.0
# In an event's HTML (a dict of audience -> fragment): the languages it was rendered in,
# when not all of them. Absent: every language (events written before this, or by a
# process that did not know).
RENDERED_KEY = "@languages"


class LiveLanguages:
    """This process's view of the languages live pages read (see the module's doc)."""

    def __init__(self) -> None:
        self._local: Counter[str] = Counter()  # language -> this process's HTML sockets
        self._remote: frozenset[str] = frozenset()  # announced by any process (Redis)
        self._known = 0  # hubs running in this process that keep this view true

    def joined(self, language: str) -> None:
        self._local[language] += 1

    def left(self, language: str) -> None:
        self._local[language] -= 1
        if self._local[language] <= 0:
            del self._local[language]

    def local(self) -> frozenset[str]:
        return frozenset(self._local)

    def to_render(self) -> tuple[str, ...] | None:
        """The languages besides English a publish renders now; None: all of them."""
        if not self._known:
            return None
        live = self._local.keys() | self._remote
        return tuple(code for code in LANGUAGES if code != DEFAULT_LANGUAGE and code in live)

    def started(self) -> None:
        self._known += 1

    def stopped(self) -> None:
        self._known = max(0, self._known - 1)
        if not self._known:
            self._remote = frozenset()

    def read(self, remote: frozenset[str]) -> None:
        self._remote = remote


LIVE = LiveLanguages()


def mark(html: dict[str, str], others: tuple[str, ...]) -> None:
    """Record in `html` that it holds English and `others` only (nothing if all)."""
    if len(others) < len(LANGUAGES) - 1:
        html[RENDERED_KEY] = ",".join((DEFAULT_LANGUAGE, *others))  # type: ignore[assignment]


def rendered_in(html: dict[str, Any], language: str) -> bool:
    """Whether an event's HTML was rendered in `language` (see `mark`)."""
    rendered = html.get(RENDERED_KEY)
    return not isinstance(rendered, str) or language in rendered.split(",")


class Announcer:
    """A hub's Redis side: announce its sockets' languages, read everyone's. With the
    in-memory layer (one process) there is nothing to announce: the local count is all."""

    def __init__(self, redis: Callable[[], Any] | None, prefix: str) -> None:
        self._connect = redis  # the layer's Redis client (bound to the running loop)
        self.redis: Any | None = None
        self.prefix = prefix
        self._tasks: list[asyncio.Task[None]] = []
        self._announced: dict[str, float] = {}  # language -> when this process last did

    def key(self, language: str) -> str:
        return f"{self.prefix}:live-language:{language}"

    async def start(self) -> None:
        LIVE.started()
        if self._connect is not None:
            self.redis = self._connect()
            with contextlib.suppress(Exception):  # Redis down: the loop retries
                await self.read()
            self._tasks = [asyncio.create_task(self._loop(), name="live-languages")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        LIVE.stopped()

    def joined(self, language: str) -> None:
        """A socket reading `language` opened here: announce it now if it is news."""
        LIVE.joined(language)
        if self.redis is not None and language not in self._announced:
            self._announced[language] = time.monotonic()
            task = asyncio.create_task(self.announce((language,)), name="announce-language")
            self._tasks.append(task)
            task.add_done_callback(lambda t: t in self._tasks and self._tasks.remove(t))

    def left(self, language: str) -> None:
        """A socket reading `language` closed here (announcements lapse by themselves)."""
        LIVE.left(language)

    async def announce(self, languages: tuple[str, ...]) -> None:
        try:
            pipe = self.redis.pipeline(transaction=False)
            for code in languages:
                pipe.set(self.key(code), "1", ex=int(EXPIRE_SECONDS))
            await pipe.execute()
        except Exception as exc:
            log.warning("could not announce live languages %s (%s)", languages, exc)

    async def read(self) -> None:
        codes = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]
        values = await self.redis.mget([self.key(code) for code in codes])
        LIVE.read(frozenset(code for code, v in zip(codes, values, strict=True) if v))

    async def _loop(self) -> None:
        last_announce = time.monotonic()
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                if time.monotonic() - last_announce >= ANNOUNCE_SECONDS:
                    last_announce = time.monotonic()
                    held = tuple(sorted(LIVE.local() - {DEFAULT_LANGUAGE}))
                    self._announced = dict.fromkeys(held, last_announce)
                    if held:
                        await self.announce(held)
                await self.read()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis down: keep the last view, try again
                log.warning("could not read live languages (%s)", exc)
