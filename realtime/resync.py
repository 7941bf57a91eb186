"""Fresh fragments for a page's live regions, sent when its socket (re)connects.

A page may have missed events while its socket was down or before it subscribed; the
server re-renders the regions each topic owns from the database, so the page equals a
fresh load. Each domain's install() registers its renderers per topic kind with the
Runtime's `ResyncRenderers`, which the Runtime binds (`RESYNC`).

A list the page extended with "load more" is re-rendered as far as the page had loaded it,
not only its first page: the page's socket URL says how many items each such list holds
(`loaded=<list element id>:<count>,...`, from the lists marked `data-paged` in the page,
sent again on every reconnect), and a renderer asks `loaded_count` how many to render.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar

from core.context import RuntimeValue
from models.users import User
from realtime.topics import Topic

Renderer = Callable[[Topic, User, str], Awaitable[str]]

# What the connecting page has loaded of its paged lists: element id -> items shown.
LOADED: ContextVar[Mapping[str, int] | None] = ContextVar("resync_loaded", default=None)
LOADED_MAX = 1000  # items a resync renders of one list at most, whatever the page says
_LOADED_ENTRY = re.compile(r"([A-Za-z0-9_-]{1,200}):([0-9]{1,6})")


def parse_loaded(raw: str) -> dict[str, int]:
    """`id:count,id:count` from a page's socket URL (at most 20 lists; malformed entries
    are left out: the list then resyncs its first page, as before any load more)."""
    found: dict[str, int] = {}
    for entry in raw.split(",")[:20]:
        m = _LOADED_ENTRY.fullmatch(entry)
        if m:
            found[m.group(1)] = int(m.group(2))
    return found


def loaded_count(list_id: str) -> int:
    """How many items of the list `list_id` the connecting page had loaded (0 when it did
    not say; at most LOADED_MAX): a resync renders that many, or the list's first page
    if that is more."""
    return min((LOADED.get() or {}).get(list_id, 0), LOADED_MAX)


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
