"""What a running process holds, in one object: the Runtime.

It holds the settings; the registries every package installed into (topic kinds, resync
renderers, block types, routes, event types; app.domains calls each `install()` once, in
one place); the process state packages read (content store, grading queue and limits,
external-grader settings, the outbound policy, peer review's clocks and alarm, the socket
credential reader), each a core.context.RuntimeValue the Runtime binds; and what it starts
(ORM, channel layer, hub, rate limiter, heartbeat, the packages' workers).

Started on the first ASGI event (lifespan under uvicorn, the first request under daphne,
which sends no lifespan events), in that task, with the ORM visible to all tasks. The
Runtime binds its values in the task that starts it (so the tasks it starts inherit them)
and again at every ASGI call it serves (`bind()`; CoursewireApp.__call__): under uvicorn the
lifespan task's bindings do not reach request tasks, and under daphne the first request
starts it. A command builds a Runtime without starting it and binds it (app.cli).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from starlette.routing import BaseRoute

from accounts.live_rights import socket_credential
from accounts.personal_data import PERSONAL_DATA, PersonalDataParts
from app.domains import install_domains
from content_store import ContentStore
from content_store.connect import STORE, open_content_store
from core.context import RuntimeValue, bind_all
from core.event_types import EventType
from core.install import Stop, Worker
from core.openapi import OPENAPI_PATHS
from core.outbound import POLICY, OutboundPolicy
from core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from core.settings import Settings
from core.templating import add_template_dir
from grading.block_types import BLOCK_TYPES, BlockTypes
from models.db import close_db, init_db
from realtime.hub import Hub
from realtime.layer import make_channel_layer
from realtime.presence import Presence, PresenceWatches
from realtime.publish import ENCODERS
from realtime.relay import Relay
from realtime.replay import REPLAY_CHECKS, ReplayChecks
from realtime.resync import RESYNC, ResyncRenderers
from realtime.rights import CREDENTIALS
from realtime.topics import TOPIC_KINDS, TopicKinds

T = TypeVar("T")
# The shared templates (base page, error pages, form fields) win over the packages' own.
SHARED_TEMPLATES = Path(__file__).resolve().parent / "templates"

log = logging.getLogger("coursewire")

# hx-ws treats a JSON frame without `content` as data-only (no swap), so one frame serves
# both kinds of socket; it keeps idle proxies from closing the connection.
_HEARTBEAT = json.dumps({"event": "heartbeat"})
HEARTBEAT_FRAMES = {"json": _HEARTBEAT, "html": _HEARTBEAT}
# How long shutdown waits for clients to answer the "service restart" close.
SOCKET_CLOSE_SECONDS = 2.0


def _before_twisted_shutdown(close: Callable[[], Awaitable[None]]) -> Any:
    """Run `close` before daphne's reactor drops its connections; returns the trigger id.

    daphne sends no lifespan shutdown, and on SIGTERM/SIGINT its reactor drops every
    connection without a close frame (a browser sees 1006). A "before shutdown" trigger
    runs while the reactor can still write. None when not running under a Twisted reactor.
    """
    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is None or not getattr(reactor, "running", False):
        return None
    from twisted.internet.defer import Deferred

    return reactor.addSystemEventTrigger(
        "before", "shutdown", lambda: Deferred.fromFuture(asyncio.ensure_future(close())))


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hub: Hub | None = None
        self.relay: Relay | None = None  # sends committed events from the outbox
        self.limiter: RateLimiter | None = None
        self.content: ContentStore | None = None
        self._close_content: Callable[[], None] | None = None
        self._lock = asyncio.Lock()
        self._started = False
        self._heartbeat: asyncio.Task[None] | None = None
        self.relay: Relay | None = None  # sends committed events from the outbox
        self._shutdown_trigger: Any = None  # daphne's (Twisted's) before-shutdown hook
        # What the packages install into (app.domains), and the state bound for them.
        self.topics = TopicKinds()
        self.resync = ResyncRenderers()
        self.presence = PresenceWatches()
        self.replay_checks = ReplayChecks()
        self.block_types = BlockTypes()
        self.personal_data = PersonalDataParts()
        self.routes: list[BaseRoute] = []
        self.openapi_paths: dict[str, dict[str, Any]] = {}
        self.event_types: list[EventType] = []
        self._workers: list[tuple[str, Worker]] = []
        self._stops: list[Stop] = []
        self._values: dict[RuntimeValue[Any], Any] = {}
        self.provide(TOPIC_KINDS, self.topics)
        self.provide(RESYNC, self.resync)
        self.provide(OPENAPI_PATHS, self.openapi_paths)
        self.provide(REPLAY_CHECKS, self.replay_checks)
        self.provide(BLOCK_TYPES, self.block_types)
        self.provide(PERSONAL_DATA, self.personal_data)
        self.provide(CREDENTIALS, socket_credential)
        # Grader URLs (course validation and requests) against the operator's allowed hosts.
        self.provide(POLICY, OutboundPolicy(settings.grader_allowed_hosts))
        add_template_dir(SHARED_TEMPLATES, first=True)
        install_domains(self)

    # -- what install() calls (core.install.Host) -------------------------------------

    def provide(self, value: RuntimeValue[T], item: T | None) -> None:
        self._values[value] = item

    def add_routes(self, routes: Sequence[BaseRoute]) -> None:
        self.routes.extend(routes)

    def add_openapi_paths(self, paths: Mapping[str, dict[str, Any]]) -> None:
        self.openapi_paths.update(paths)

    def add_templates(self, folder: Path) -> None:
        add_template_dir(folder)  # one Jinja environment per process (core.templating)

    def add_event_types(self, event_types: Iterable[EventType]) -> None:
        self.event_types.extend(event_types)

    def add_worker(self, name: str, start: Worker) -> None:
        self._workers.append((name, start))

    def bind(self) -> None:
        """Bind every provided value in the current context (and the tasks it starts)."""
        bind_all(self._values)

    @property
    def started(self) -> bool:
        return self._started

    async def start(self) -> None:
        async with self._lock:
            if self._started:
                return
            await init_db(self.settings)
            self.content, self._close_content = await open_content_store(self.settings)
            self.provide(STORE, self.content)
            layer = make_channel_layer(self.settings.redis_url, self.settings.redis_prefix)
            self.relay = Relay(layer, retention_days=self.settings.event_retention_days)
            await self.relay.start()
            self.bind()
            self.hub = Hub(layer, ENCODERS, Presence(self.presence))
            await self.hub.start()
            self.limiter = (
                RedisRateLimiter(self.settings.redis_url, f"{self.settings.redis_prefix}:rl:")
                if self.settings.redis_url else MemoryRateLimiter())
            self._heartbeat = asyncio.create_task(self._beat(), name="heartbeat")
            for name, start in self._workers:
                log.debug("starting %s", name)
                self._stops.append(await start())
                self.bind()  # a worker may provide something (grading: its queue)
            self._shutdown_trigger = _before_twisted_shutdown(self.close_sockets_for_restart)
            self._started = True
            log.info("coursewire started (database %s, channel layer %s, content %s)",
                     self.settings.database_url.split("://")[0],
                     "redis" if self.settings.redis_url else "in-memory",
                     "mongodb" if self.settings.mongo_url else "embedded")

    async def close_sockets_for_restart(self) -> None:
        """Close every socket with 1012 (service restart): clients reconnect to the next process.

        uvicorn does this itself before the lifespan shutdown; daphne needs the hook above.
        """
        if self.hub:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SOCKET_CLOSE_SECONDS):
                    await self.hub.close_for_restart()

    async def stop(self) -> None:
        async with self._lock:
            if not self._started:
                return
            if self._shutdown_trigger is not None:
                reactor = sys.modules["twisted.internet.reactor"]
                with contextlib.suppress(ValueError):  # already fired and removed
                    reactor.removeSystemEventTrigger(self._shutdown_trigger)
                self._shutdown_trigger = None
            if self._heartbeat:
                self._heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._heartbeat
            while self._stops:
                await self._stops.pop()()
            if self.relay:
                await self.relay.stop()
                self.relay = None
            if self.hub:
                await self.hub.stop()
                layer = self.hub.layer
                if hasattr(layer, "close_pools"):
                    await layer.close_pools()
            if self.limiter:
                await self.limiter.close()
            self.provide(STORE, None)
            self.bind()
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
