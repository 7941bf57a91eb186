"""Fresh fragments for a page's live regions, sent when its socket (re)connects.

A page may have missed events while its socket was down or before it subscribed; the
server re-renders the regions each topic owns from the database, so the page equals a
fresh load. Each domain's install() registers its renderers per topic kind with the
Runtime's `ResyncRenderers`, which the Runtime binds (`RESYNC`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.context import RuntimeValue
from models.users import User
from realtime.topics import Topic

Renderer = Callable[[Topic, User, str], Awaitable[str]]


class ResyncRenderers:
    """Renderers per topic kind, run in the order they were registered (each once)."""

    def __init__(self) -> None:
        self._renderers: dict[str, list[Renderer]] = {}

    def register(self, kind: str, renderer: Renderer) -> None:
        renderers = self._renderers.setdefault(kind, [])
        if renderer not in renderers:
            renderers.append(renderer)

    def for_kind(self, kind: str) -> list[Renderer]:
        return list(self._renderers.get(kind, ()))


RESYNC: RuntimeValue[ResyncRenderers] = RuntimeValue("resync renderers")


async def resync_fragments(topic: Topic, user: User, audience: str) -> str:
    parts = [await render(topic, user, audience)
             for render in RESYNC.get().for_kind(topic.kind)]
    return "".join(parts)
