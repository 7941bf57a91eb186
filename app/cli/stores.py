"""How a command runs against the stores: the ORM, the channel layer and the content store
opened around one action and closed after it; and a failure printed as one line."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

from app.cli.errors import describe
from core.settings import Settings


async def with_db(settings: Settings, action: Callable[[], Awaitable[Any]]) -> Any:
    from app.runtime import Runtime
    from models.db import close_db, init_db, migrate
    from realtime.layer import make_channel_layer
    from realtime.relay import Relay

    if settings.database_url.startswith("sqlite://"):
        # The embedded database is created on first use, whatever the command: a fresh
        # data dir works without `coursewire migrate` (a server database is migrated
        # on purpose, so there a missing table says to run it).
        await migrate(settings)
    await init_db(settings)
    # Every package installed and its state bound, nothing started: a command may submit
    # (the demo's peer reviews) or check grader URLs against the allowed hosts.
    Runtime(settings).bind()
    # With REDIS_URL, what a command publishes (import-course --publish, demo...) reaches
    # the running servers' open pages, as if a server had done it. Without it there is
    # no other process to tell (embedded mode is single-process): the relay marks the
    # command's events sent into an in-memory layer.
    layer = make_channel_layer(settings.redis_url, settings.redis_prefix)
    relay = Relay(layer, retention_days=settings.event_retention_days)
    await relay.start()
    try:
        return await action()
    finally:
        await relay.stop(flush_seconds=10)
        if hasattr(layer, "close_pools"):
            await layer.close_pools()
        await close_db()


async def with_stores(settings: Settings, action: Callable[[], Awaitable[Any]]) -> Any:
    """Run `action` with the ORM and the content store open (the CLI's own wiring)."""
    from content_store.connect import STORE, open_content_store

    async def with_content() -> Any:
        store, close = await open_content_store(settings)
        STORE.bind(store)
        try:
            return await action()
        finally:
            STORE.bind(None)
            close()

    return await with_db(settings, with_content)


def fail(exc: BaseException) -> int:
    """Print one line for a failure (app.cli.errors words it) and return the exit status."""
    message, status = describe(exc)
    print(f"error: {message}", file=sys.stderr)
    return status
