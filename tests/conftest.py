"""Shared fixtures. Service mode: DATABASE_URL=postgres://... and REDIS_URL set (./scripts/test
does both runs); embedded mode otherwise (SQLite, in-memory channel layer)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from app.application import CoursewireApp, create_app
from app.db import close_db, init_db
from app.settings import Settings
from tests.support.databases import DatabaseFactory, run

BASE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
PG_BASE = BASE_DATABASE_URL if BASE_DATABASE_URL.startswith("postgres") else None
REDIS_URL = os.environ.get("REDIS_URL") or None
SERVICE_MODE = bool(PG_BASE and REDIS_URL)


def pytest_report_header() -> str:
    return (f"coursewire: database={'postgres' if PG_BASE else 'sqlite'}, "
            f"channel layer={'redis' if REDIS_URL else 'in-memory'}")


@pytest.fixture(scope="session")
def db_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(PG_BASE, tmp_path_factory.mktemp("db"))
    run(factory.prepare())
    yield factory
    run(factory.drop_all())


def make_settings(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir, "database_url": database_url, "redis_url": REDIS_URL,
        "mongo_url": None, "secret_key": "test-secret-" + uuid.uuid4().hex,
        "redis_prefix": "cwtest:" + uuid.uuid4().hex[:8],
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def settings(db_factory: DatabaseFactory, tmp_path: Path) -> Settings:
    return make_settings(tmp_path, await db_factory.new_url())


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    """The ORM open on a fresh, migrated database (for service-level tests)."""
    await init_db(settings)
    yield settings
    await close_db()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[CoursewireApp]:
    application = create_app(settings)
    await application.runtime.start()
    yield application
    await application.runtime.stop()


@pytest.fixture
async def client(app: CoursewireApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
