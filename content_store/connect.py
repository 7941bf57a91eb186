"""Opening the content store: the one place that knows real MongoDB from the embedded one.

The wiring (app.runtime for servers, app.cli for commands) opens the store and binds it
(`STORE`, a core.context.RuntimeValue); services read it with `current_store()`. Domain
code never asks which database is underneath.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from content_store import ContentStore
from content_store.assets import CourseAssets
from content_store.embedded import open_embedded_database
from core.context import RuntimeValue
from core.settings import Settings

STORE: RuntimeValue[ContentStore] = RuntimeValue("content store")


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


def current_store() -> ContentStore:
    return STORE.get()
