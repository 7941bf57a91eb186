"""Course-content databases for tests.

With MONGO_URL set (service mode against a MongoDB-wire server: `scripts/mongo-wire-server`),
every settings object, server process and CLI run a test makes gets its own database on
that server, dropped after the test (or, for module-scoped servers, after the session).
Without it, each data dir holds the embedded stand-in, as `coursewire demo` does.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

MONGO_URL = os.environ.get("MONGO_URL") or None


class ContentDatabases:
    """Hands out uniquely named databases on the MONGO_URL server and drops them."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.made: list[str] = []
        self._client: Any = None

    def new_name(self) -> str | None:
        """A fresh database name, or None when there is no server (embedded stand-in)."""
        if not self.url:
            return None
        self.made.append(f"cw_t_{uuid.uuid4().hex[:12]}")
        return self.made[-1]

    def env(self, name: str | None = None) -> dict[str, str]:
        """Environment for a process that should use database `name` (a fresh one if None)."""
        name = name or self.new_name()
        if not (self.url and name):
            return {}
        return {"MONGO_URL": self.url, "MONGO_DB": name}

    def drop_made_after(self, mark: int) -> None:
        """Drop the databases handed out after `len(self.made)` was `mark`."""
        names, self.made[mark:] = self.made[mark:], []
        if not names:
            return
        if self._client is None:
            # pymongo, synchronous: this runs in fixture teardown, in or out of an event loop.
            from pymongo import MongoClient

            self._client = MongoClient(self.url, serverSelectionTimeoutMS=10_000)
        for name in names:
            self._client.drop_database(name)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


CONTENT_DATABASES = ContentDatabases(MONGO_URL)
