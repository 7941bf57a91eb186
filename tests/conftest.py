"""Shared fixtures. Service mode: DATABASE_URL=postgres://... and REDIS_URL set, and MONGO_URL
for a MongoDB-wire server (./scripts/test does both runs); embedded mode otherwise (SQLite,
in-memory channel layer, the in-process MongoDB stand-in)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from app.application import CoursewireApp, create_app
from app.runtime import Runtime
from core.settings import Settings
from models.db import close_db, init_db
from tests.support.content_databases import CONTENT_DATABASES, MONGO_URL
from tests.support.databases import DatabaseFactory, run

BASE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
PG_BASE = BASE_DATABASE_URL if BASE_DATABASE_URL.startswith("postgres") else None
REDIS_URL = os.environ.get("REDIS_URL") or None
SERVICE_MODE = bool(PG_BASE and REDIS_URL)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run in the embedded pass only (what `coursewire demo` serves), except
    those about the services themselves (`both_modes`: restarts, kill -9) and the fault
    suite: the service pass covers the same storage and channel-layer paths through the
    API, socket and service tests, and a second Chromium pass would double CI's longest
    part for no path it does not already run."""
    if not SERVICE_MODE:
        return
    once = [item for item in items
            if item.get_closest_marker("browser") and not item.get_closest_marker("both_modes")
            and "tests/faults/" not in str(item.path).replace("\\", "/")]
    if once:
        config.hook.pytest_deselected(items=once)
        chosen = set(map(id, once))
        items[:] = [item for item in items if id(item) not in chosen]


def pytest_unconfigure(config: pytest.Config) -> None:
    """aiosqlite (0.22 on) runs each connection on a non-daemon thread: one connection a
    test left open would keep this process alive after the last test, until CI's time
    runs out. Stop any such thread, and say where it came from (its database path names
    the test's temporary directory)."""
    import gc

    import aiosqlite

    left = [c for c in gc.get_objects()
            if type(c) is aiosqlite.Connection and c._thread.is_alive()]
    for connection in left:
        cells = getattr(connection._connector, "__closure__", None) or ()
        where = [c.cell_contents for c in cells if isinstance(c.cell_contents, str)]
        print(f"\ntests/conftest.py: an aiosqlite connection to {where} was left open; "
              "stopping its thread", flush=True)
        connection.stop()


def pytest_report_header() -> str:
    return (f"coursewire: database={'postgres' if PG_BASE else 'sqlite'}, "
            f"channel layer={'redis' if REDIS_URL else 'in-memory'}, "
            f"content={'MongoDB wire at ' + MONGO_URL if MONGO_URL else 'in-process stand-in'}")


@pytest.fixture(scope="session", autouse=True)
def content_databases() -> Iterator[None]:
    """With MONGO_URL: a process a test starts without its own MONGO_DB still gets one of
    this run's databases (never a shared default), and every database is dropped at the end."""
    if not MONGO_URL:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONGO_DB", CONTENT_DATABASES.new_name() or "")
        yield
    CONTENT_DATABASES.drop_made_after(0)
    CONTENT_DATABASES.close()


@pytest.fixture(autouse=True)
def drop_test_content_databases(content_databases: None) -> Iterator[None]:
    """Drop the content databases made during this test (module-scoped servers are set up
    before this fixture, so theirs last until the end of the session)."""
    mark = len(CONTENT_DATABASES.made)
    yield
    CONTENT_DATABASES.drop_made_after(mark)


# Settings for the Runtime every test gets bound (`installed`), where a test has no app.
INSTALLED_SETTINGS = Settings(data_dir=Path("unused"), database_url="sqlite://:memory:",
                              redis_url=None, mongo_url=None, secret_key="test-installed",
                              grader_allowed_hosts=("127.0.0.1",))


@pytest.fixture(autouse=True)
def installed() -> Runtime:
    """Every package installed, as the shell does (nothing registers when imported), and
    the Runtime's state bound for the test, nothing started. A test with an app gets that
    app's Runtime bound instead (its `start()` binds it)."""
    runtime = Runtime(INSTALLED_SETTINGS)
    runtime.bind()
    return runtime


@pytest.fixture
def every_language_live() -> Iterator[None]:
    """As if pages in every language were open: publishes render every language's HTML
    (realtime/languages.py renders only those live pages read), for tests that read the
    event log's HTML in each language."""
    from core.i18n import DEFAULT_LANGUAGE, LANGUAGES
    from realtime.languages import LIVE

    others = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]
    for code in others:
        LIVE.joined(code)
    yield
    for code in others:
        LIVE.left(code)


@pytest.fixture(scope="session")
def db_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(PG_BASE, tmp_path_factory.mktemp("db"))
    run(factory.prepare())
    yield factory
    run(factory.drop_all())


def make_settings(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    """Test settings; with MONGO_URL, content lives in a fresh database on that server
    (dropped after the test) and the app still grades in process, as it does embedded."""
    values: dict[str, object] = {
        "data_dir": data_dir, "database_url": database_url, "redis_url": REDIS_URL,
        "mongo_url": MONGO_URL, "secret_key": "test-secret-" + uuid.uuid4().hex,
        "redis_prefix": "cwtest:" + uuid.uuid4().hex[:8],
        # Test graders listen on this machine (tests/trust/test_grader_ssrf.py: the default).
        "grader_allowed_hosts": ("127.0.0.1",),
    }
    if MONGO_URL:
        values.update(mongo_db_name=CONTENT_DATABASES.new_name(), grading_in_app="1")
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
