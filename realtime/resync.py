"""Fresh fragments for a page's live regions, sent when its socket (re)connects.

A page may have missed events while its socket was down or before it subscribed; the
server re-renders the regions each topic owns from the database, so the page equals a
fresh load. Domain packages register a renderer per topic kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.users import User
from realtime.topics import Topic

Renderer = Callable[[Topic, User, str], Awaitable[str]]
_renderers: dict[str, list[Renderer]] = {}


def register_resync(kind: str, renderer: Renderer) -> None:
    _renderers.setdefault(kind, []).append(renderer)


async def resync_fragments(topic: Topic, user: User, audience: str) -> str:
    parts = [await render(topic, user, audience) for render in _renderers.get(topic.kind, [])]
    return "".join(parts)
