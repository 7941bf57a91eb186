"""A light /api/v1/events client that behaves like a well-written API client: when its
socket is cut it reconnects (to any of the given servers) and resubscribes with `since`
= the last sequence number it saw, so it receives what it missed. One asyncio task per
client, so a test can run a thousand of them."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets


class SubscribeRefused(Exception):
    """The server answered the subscribe with something else (kept as `last_error`)."""


@dataclass
class ResyncingClient:
    urls: Callable[[], list[str]]  # where to (re)connect, tried in turn
    topics: list[str]
    frames: list[dict[str, Any]] = field(default_factory=list)
    last_seq: int | None = None
    connects: int = 0
    reconnected_at: float | None = None
    closed_at: float | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    last_error: str = ""
    _stop: bool = False

    def events(self, name: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("event") == name]

    def seen_ids(self, name: str) -> list[Any]:
        return [f["data"].get("id") for f in self.events(name)]

    async def run(self) -> None:
        attempt = 0
        while not self._stop:
            urls = self.urls()
            url = urls[attempt % len(urls)]
            attempt += 1
            try:
                async with websockets.connect(url, open_timeout=10, ping_interval=None,
                                              close_timeout=1) as ws:
                    hello: dict[str, Any] = {"subscribe": self.topics}
                    if self.last_seq is not None:
                        hello["since"] = self.last_seq
                    await ws.send(json.dumps(hello))
                    answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    while answer.get("event") == "heartbeat":
                        answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if answer.get("subscribed") != self.topics:
                        raise SubscribeRefused(str(answer)[:200])
                    self.connects += 1
                    if self.connects > 1 and self.reconnected_at is None:
                        self.reconnected_at = time.monotonic()
                    self.ready.set()
                    attempt = 0
                    async for raw in ws:
                        frame = json.loads(raw)
                        if frame.get("event") == "heartbeat":
                            continue
                        if isinstance(frame.get("seq"), int):
                            # Replay and live frames may overlap at the seam: keep one copy.
                            if self.last_seq is not None and frame["seq"] <= self.last_seq:
                                continue
                            self.last_seq = frame["seq"]
                        self.frames.append(frame)
            except (TimeoutError, OSError, websockets.WebSocketException,
                    SubscribeRefused) as exc:
                self.last_error = type(exc).__name__ + ": " + str(exc)[:80]
            if self._stop:
                return
            if self.closed_at is None:
                self.closed_at = time.monotonic()
            await asyncio.sleep(0.2 + 0.3 * min(attempt, 5))

    def stop(self) -> None:
        self._stop = True


async def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")
