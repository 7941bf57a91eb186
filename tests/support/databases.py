"""Fresh, migrated databases for tests, cheaply: migrate a template once, then copy it.

PostgreSQL: `CREATE DATABASE x TEMPLATE t`; SQLite: copy the file.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import shutil
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from core.settings import Settings
from models.db import migrate

T = TypeVar("T")


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, database_url=url, redis_url=None, mongo_url=None,
                    secret_key="test")


class DatabaseFactory:
    def __init__(self, base_url: str | None, workdir: Path) -> None:
        self.base_url = base_url  # a postgres:// URL, or None for SQLite
        self.workdir = workdir
        self.template: str | None = None
        self.created: list[str] = []

    @property
    def kind(self) -> str:
        return "postgres" if self.base_url else "sqlite"

    def _pg_url(self, name: str) -> str:
        assert self.base_url
        parts = urlsplit(self.base_url)
        return urlunsplit(parts._replace(path="/" + name))

    async def _pg(self, sql: str) -> None:
        assert self.base_url
        dsn = self.base_url.replace("postgres://", "postgresql://", 1)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def prepare(self) -> None:
        if self.base_url:
            self.template = f"cw_tpl_{uuid.uuid4().hex[:10]}"
            await self._pg(f'CREATE DATABASE "{self.template}"')
            await migrate(_settings(self._pg_url(self.template), self.workdir))
        else:
            self.template = str(self.workdir / "template.sqlite3")
            await migrate(_settings(f"sqlite://{self.template}", self.workdir))

    async def new_url(self) -> str:
        if self.template is None:
            await self.prepare()
        assert self.template
        if self.base_url:
            name = f"cw_t_{uuid.uuid4().hex[:12]}"
            await self._pg(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            self.created.append(name)
            return self._pg_url(name)
        path = self.workdir / f"db-{uuid.uuid4().hex[:12]}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite://{path}"

    async def empty_url(self) -> str:
        """A database with no tables (dropped with the others)."""
        if self.base_url:
            name = f"cw_t_{uuid.uuid4().hex[:12]}"
            await self._pg(f'CREATE DATABASE "{name}"')
            self.created.append(name)
            return self._pg_url(name)
        return f"sqlite://{self.workdir / f'empty-{uuid.uuid4().hex[:12]}.sqlite3'}"

    async def drop_all(self) -> None:
        if not self.base_url:
            return
        for name in [*self.created, self.template]:
            try:
                await self._pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except (OSError, asyncpg.PostgresError):
                pass


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even where a loop is already running
    in this thread (Playwright's sync API keeps one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
