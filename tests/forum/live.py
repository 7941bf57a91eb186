"""Helpers for forum tests against a live server process: people, sockets, collection."""

from __future__ import annotations

import asyncio
import contextlib
import json
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
    """Reads one websocket in the background and keeps every frame it receives."""

    ws: Any
    frames: list[str] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    def start(self) -> Collector:
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        with contextlib.suppress(Exception):
            async for frame in self.ws:
                self.frames.append(frame if isinstance(frame, str) else frame.decode())

    async def wait_for(self, predicate, timeout: float = 5.0) -> str:
        deadline = asyncio.get_running_loop().time() + timeout
        seen = 0
        while asyncio.get_running_loop().time() < deadline:
            for frame in self.frames[seen:]:
                if predicate(frame):
                    return frame
            seen = len(self.frames)
            await asyncio.sleep(0.02)
        raise TimeoutError(f"no matching frame among {len(self.frames)}")

    async def close(self) -> None:
        await self.ws.close()
        if self.task:
            self.task.cancel()


async def page_socket(server, person: Person, topics: list[str]) -> Collector:
    ws = await websockets.connect(
        f"{server.ws_base}/ws?topics={quote(','.join(topics), safe='')}",
        additional_headers={"Cookie": person.cookie}, origin=server.base)
    return Collector(ws).start()


async def event_socket(server, person: Person, topics: list[str]) -> tuple[Collector, dict]:
    ws = await websockets.connect(f"{server.ws_base}/api/v1/events?token={person.token}")
    await ws.send(json.dumps({"subscribe": topics}))
    while True:
        answer = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if "subscribed" in answer:
            break
    return Collector(ws).start(), answer
