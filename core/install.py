"""What a package's `install(host)` receives: the Runtime, as seen from below the shell.

Nothing registers itself when imported. The shell (app/domains.py) calls each package's
`install()` once per Runtime, and the package hands over everything it brings: routes,
templates, topic kinds with their authorizers, resync renderers, block types, their part of
a person's export and erasure (personal data), the event
types it publishes (for the AsyncAPI document), process state (`provide`) and workers.
The registries are typed here only by what install() does with them (`register`): their
classes live in realtime (`TopicKinds`, `ResyncRenderers`) and grading (`BlockTypes`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from starlette.routing import BaseRoute

from core.context import RuntimeValue
from core.event_types import EventType
from core.settings import Settings

T = TypeVar("T")

# A worker starts when the Runtime starts (after the stores, the hub and every provided
# value are bound) and returns how to stop it; the Runtime stops workers in reverse order.
Stop = Callable[[], Awaitable[None]]
Worker = Callable[[], Awaitable[Stop]]


class Registry(Protocol):
    def register(self, name: str, item: Any, /) -> None: ...


class Host(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def topics(self) -> Registry:
        """Topic kind -> authorizer (realtime.topics.TopicKinds)."""
        ...

    @property
    def resync(self) -> Registry:
        """Topic kind -> renderer of fresh fragments (realtime.resync.ResyncRenderers)."""
        ...

    @property
    def presence(self) -> Registry:
        """Topic kind -> what its domain is told of open pages
        (realtime.presence.PresenceWatches)."""
        ...

    @property
    def replay_checks(self) -> Registry:
        """Event-name prefix -> re-check before replay (realtime.replay.ReplayChecks)."""
        ...

    @property
    def block_types(self) -> Registry:
        """Block types another domain scores (grading.block_types.BlockTypes)."""
        ...

    @property
    def personal_data(self) -> Registry:
        """Section -> a package's part of a person's export and erasure
        (accounts.personal_data.PersonalDataParts)."""
        ...

    def provide(self, value: RuntimeValue[T], item: T | None) -> None:
        """Hold `item` on the Runtime, bound as `value` wherever the Runtime serves."""
        ...

    def add_routes(self, routes: Sequence[BaseRoute]) -> None: ...

    def add_templates(self, folder: Path) -> None: ...

    def add_openapi_paths(self, paths: Mapping[str, dict[str, Any]]) -> None: ...

    def add_event_types(self, event_types: Iterable[EventType]) -> None: ...

    def add_worker(self, name: str, start: Worker) -> None: ...


def task_worker(name: str, run: Callable[[], Coroutine[Any, Any, None]]) -> Worker:
    """A worker that is one task running `run()`, cancelled when the Runtime stops."""

    async def start() -> Stop:
        task = asyncio.create_task(run(), name=name)

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        return stop

    return start


def add_package(host: Host, folder: Path, routes: Sequence[BaseRoute], events: object = None,
                *, topics: Mapping[str, Any] | None = None,
                resync: Mapping[str, Any] | None = None,
                openapi: Mapping[str, dict[str, Any]] | None = None) -> None:
    """What most packages hand over: the templates beside them, their routes and their
    OpenAPI description, the event types their events module lists (`EVENT_TYPES`), topic
    authorizers and resync renderers."""
    host.add_templates(folder / "templates")
    host.add_routes(routes)
    host.add_openapi_paths(openapi or {})
    host.add_event_types(getattr(events, "EVENT_TYPES", ()))
    for kind, authorizer in (topics or {}).items():
        host.topics.register(kind, authorizer)
    for kind, renderer in (resync or {}).items():
        host.resync.register(kind, renderer)
