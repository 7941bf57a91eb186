"""The fault suite's own services: each test module gets a private redis-server and
PostgreSQL cluster it may kill (see services.py); the shared ones are never touched.

Every test here is a service-mode test (PostgreSQL and Redis are what it breaks), so it
runs in scripts/test's service-mode pass (DATABASE_URL and REDIS_URL set) and is skipped in
the embedded pass. It never uses those URLs' servers, only its own, so it needs
redis-server and the PostgreSQL binaries on the machine. One module alone:
`DATABASE_URL=postgres://... REDIS_URL=redis://... pytest tests/faults/test_worker_kill.py`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import browser  # noqa: F401  (the Chromium fixture, shared)
from tests.conftest import SERVICE_MODE
from tests.faults.services import PrivatePostgres, PrivateRedis, missing_services
from tests.support.databases import DatabaseFactory, run

WHY_NOT = missing_services() or (
    None if SERVICE_MODE else "fault tests run in the service-mode pass (DATABASE_URL and "
                              "REDIS_URL set); they start their own PostgreSQL and Redis")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.service)
            item.add_marker(pytest.mark.slow)
            if WHY_NOT:
                item.add_marker(pytest.mark.skip(reason=WHY_NOT))


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def private_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    server = PrivatePostgres(tmp_path_factory.mktemp("pg")).init()
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def private_db_factory(private_pg: PrivatePostgres,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    """Fresh migrated databases on the private cluster (the shared one is never used)."""
    factory = DatabaseFactory(private_pg.url, tmp_path_factory.mktemp("faults-db"))
    run(factory.prepare())
    yield factory
    run(factory.drop_all())
