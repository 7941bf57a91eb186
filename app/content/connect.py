"""Opening the content store: the one place that knows real MongoDB from the embedded one.

The wiring (app.runtime for servers, app.cli for commands) opens the store and hands it
to `use_store`; services read it with `current_store()`, the way `realtime.publish` reads
the channel layer. Domain code never asks which database is underneath.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.content.assets import CourseAssets
from app.settings import Settings
from content_store import ContentStore
from content_store.embedded import open_embedded_database

_store: ContentStore | None = None


async def open_content_store(settings: Settings) -> tuple[ContentStore, Callable[[], None]]:
    """The content store for these settings, indexes ensured, and how to close it.

    MONGO_URL set: a motor client on that server. Otherwise the embedded database in
    `<data dir>/content`, which only one process may have open at a time.
    """
    db: Any
    close: Callable[[], None]
    if settings.mongo_url:
        from motor.motor_asyncio import AsyncIOMotorClient

        client: Any = AsyncIOMotorClient(settings.mongo_url)
        db, close = client[settings.mongo_db_name], client.close
    else:
        db = open_embedded_database(settings.data_dir / "content", settings.mongo_db_name)
        close = db.close
    store = ContentStore(db)
    try:
        await store.ensure_indexes()
        await CourseAssets(db).ensure_indexes()
    except BaseException:
        close()
        raise
    return store, close


def use_store(store: ContentStore | None) -> None:
    """Set the process's content store (wiring calls this at start-up and shutdown)."""
    global _store
    _store = store


def current_store() -> ContentStore:
    if _store is None:
        raise RuntimeError("The content store is not open (app.runtime or the CLI opens it).")
    return _store
