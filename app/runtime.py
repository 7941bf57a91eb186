"""What a running process holds: settings, ORM, content store, channel layer, hub, rate limiter.

Started on the first ASGI event (lifespan under uvicorn, the first request under daphne,
which sends no lifespan events), in that task, with the ORM visible to all tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from app.content.connect import open_content_store, use_store
from app.db import close_db, init_db
from app.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from app.settings import Settings
from content_store import ContentStore
from realtime.hub import Hub
from realtime.layer import make_channel_layer
from realtime.publish import ENCODERS, use_layer

log = logging.getLogger("coursewire")

# hx-ws treats a JSON frame without `content` as data-only (no swap), so one frame serves
# both kinds of socket; it keeps idle proxies from closing the connection.
_HEARTBEAT = json.dumps({"event": "heartbeat"})
HEARTBEAT_FRAMES = {"json": _HEARTBEAT, "html": _HEARTBEAT}


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hub: Hub | None = None
        self.limiter: RateLimiter | None = None
        self.content: ContentStore | None = None
        self._close_content: Callable[[], None] | None = None
        self._lock = asyncio.Lock()
        self._started = False
        self._heartbeat: asyncio.Task[None] | None = None
        self.grading: Any = None  # grading.worker.GradingRuntime
        self._peer_review: asyncio.Task[None] | None = None  # its sweeper

    @property
    def started(self) -> bool:
        return self._started

    async def start(self) -> None:
        async with self._lock:
            if self._started:
                return
            await init_db(self.settings)
            self.content, self._close_content = await open_content_store(self.settings)
            use_store(self.content)
            layer = make_channel_layer(self.settings.redis_url, self.settings.redis_prefix)
            use_layer(layer)
            self.hub = Hub(layer, ENCODERS)
            await self.hub.start()
            self.limiter = (
                RedisRateLimiter(self.settings.redis_url, f"{self.settings.redis_prefix}:rl:")
                if self.settings.redis_url else MemoryRateLimiter())
            self._heartbeat = asyncio.create_task(self._beat(), name="heartbeat")
            from grading.worker import grades_in_app, start_grading

            self.grading = await start_grading(self.settings,
                                               consume=grades_in_app(self.settings))
            from peer_review.sweeper import start_peer_review

            self._peer_review = start_peer_review(self.settings)
            self._started = True
            log.info("coursewire started (database %s, channel layer %s, content %s)",
                     self.settings.database_url.split("://")[0],
                     "redis" if self.settings.redis_url else "in-memory",
                     "mongodb" if self.settings.mongo_url else "embedded")

    async def stop(self) -> None:
        async with self._lock:
            if not self._started:
                return
            if self._heartbeat:
                self._heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._heartbeat
            if self._peer_review:
                self._peer_review.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._peer_review
            if self.grading:
                await self.grading.stop()
                self.grading = None
            if self.hub:
                await self.hub.stop()
                layer = self.hub.layer
                if hasattr(layer, "close_pools"):
                    await layer.close_pools()
            if self.limiter:
                await self.limiter.close()
            use_layer(None)
            use_store(None)
            if self._close_content:
                self._close_content()
                self.content = self._close_content = None
            await close_db()
            self._started = False

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            if self.hub:
                self.hub.broadcast_local(HEARTBEAT_FRAMES)
