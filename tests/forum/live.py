"""Helpers for forum tests against a live server process: people, sockets, collection."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import websockets

from tests.support.live import api_token, session_cookie

COURSE = "course-v1:Coursewire+PY101+2026"
EMAILS = {"teacher": "instructor@demo.coursewire", "ta": "ta@demo.coursewire",
          "ada": "ada@demo.coursewire", "linus": "linus@demo.coursewire",
          "margaret": "margaret@demo.coursewire"}


@dataclass
class Person:
    base: str
    email: str
    token: str = ""
    cookie: str = ""
    csrf: str = ""

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, self.base + path, headers=self.bearer, timeout=10, **kw)

    def page(self, path: str) -> httpx.Response:
        return httpx.get(self.base + path, headers={"Cookie": self.cookie}, timeout=10)

    def form(self, path: str, data: dict[str, str]) -> httpx.Response:
        return httpx.post(self.base + path, data=data, timeout=10,
                          headers={"Cookie": self.cookie, "X-CSRF-Token": self.csrf,
                                   "HX-Request": "true"})


def people(base: str) -> dict[str, Person]:
    out = {}
    for name, email in EMAILS.items():
        p = Person(base, email, api_token(base, email))
        p.cookie, p.csrf = session_cookie(base, email)
        out[name] = p
    return out


@dataclass
class Collector:
    """Reads one websocket in the background and keeps every frame it receives; waits end
    the moment a frame that settles them arrives (no polling, no sleeps)."""

    ws: Any
    frames: list[str] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self) -> Collector:
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        with contextlib.suppress(Exception):
            async for frame in self.ws:
                self.frames.append(frame if isinstance(frame, str) else frame.decode())
                self.arrived.set()

    async def wait_until(self, settled: Callable[[list[str]], bool], start: int = 0,
                         timeout: float = 5.0) -> None:
        """Return as soon as the frames from index `start` on satisfy `settled`."""
        async def watch() -> None:
            while not settled(self.frames[start:]):
                self.arrived.clear()
                await self.arrived.wait()

        try:
            await asyncio.wait_for(watch(), timeout)
        except TimeoutError:
            new = [f[:300] for f in self.frames[start:]]
            closed = (getattr(self.ws, "close_code", None), getattr(self.ws, "close_reason", None))
            raise TimeoutError(f"not settled by {len(new)} new frames {new!r} (socket closed: "
                               f"{closed}, reader done: {self.task and self.task.done()})"
                               ) from None

    async def wait_for(self, predicate: Callable[[str], bool], timeout: float = 5.0,
                       start: int = 0) -> str:
        """The first frame from index `start` on that passes `predicate`."""
        await self.wait_until(lambda frames: any(map(predicate, frames)), start, timeout)
        return next(f for f in self.frames[start:] if predicate(f))

    async def handled(self) -> None:
        """Return once the server has handled every frame this socket sent before (the join
        of a page's topics included): it handles a socket's frames in order, so its answer
        to one more frame, which asks nothing, proves it. That answer is not kept."""
        start = len(self.frames)
        await self.ws.send("{}")
        answer = await self.wait_for(lambda f: '"bad_frame"' in f, start=start)
        self.frames.remove(answer)

    async def close(self) -> None:
        await self.ws.close()
        if self.task:
            self.task.cancel()


async def page_socket(server, person: Person, topics: list[str],
                      language: str | None = None) -> Collector:
    """A page's socket; `language` is the browser's Accept-Language (the socket's frames come
    in it when the person has no language setting)."""
    headers = {"Cookie": person.cookie, **({"Accept-Language": language} if language else {})}
    ws = await websockets.connect(
        f"{server.ws_base}/ws?topics={quote(','.join(topics), safe='')}",
        additional_headers=headers, origin=server.base)
    sock = Collector(ws).start()
    await sock.handled()  # joined every topic it named: what is published next reaches it
    return sock


async def event_socket(server, person: Person, topics: list[str]) -> tuple[Collector, dict]:
    ws = await websockets.connect(f"{server.ws_base}/api/v1/events?token={person.token}")
    await ws.send(json.dumps({"subscribe": topics}))
    while True:
        answer = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if "subscribed" in answer:
            break
    return Collector(ws).start(), answer


async def delivery_barrier(voter: Person, post_id: int, *socks: Collector,
                           timeout: float = 10.0) -> None:
    """Wait until every socket has received everything published before this call.

    A server process's hub hands events to its sockets in the order they were published,
    so a frame published now, once received, proves every earlier one was too: then "it
    never arrived" is a fact, not a guess after a sleep. The frame: `voter` upvotes
    `post_id` (the opening post of a thread every socket follows, through its thread or
    forum topic) and withdraws the vote, leaving the score as it was; each socket waits
    for the withdrawal's score."""
    start = [len(s.frames) for s in socks]
    up = voter.api("POST", f"/api/v1/forum/posts/{post_id}/votes", json={"value": 1})
    assert up.status_code == 200, up.text
    down = voter.api("POST", f"/api/v1/forum/posts/{post_id}/votes", json={"value": 0})
    assert down.status_code == 200, down.text
    score = down.json()["score"]

    def scored(frame: str, value: int) -> bool:
        try:
            data = json.loads(frame).get("data") or {}
        except ValueError:
            return f'>{value}</span>' in frame and (
                f'id="post-{post_id}-score"' in frame or 'class="row-score"' in frame)
        return data.get("id") == post_id and data.get("score") == value

    def settled(frames: list[str]) -> bool:
        ups = [i for i, f in enumerate(frames) if scored(f, score + 1)]
        return bool(ups) and any(scored(f, score) for f in frames[ups[0] + 1:])

    for sock, seen in zip(socks, start, strict=True):
        # The up-vote's frame, then the withdrawal's.
        await sock.wait_until(settled, seen, timeout)
