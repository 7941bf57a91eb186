from __future__ import annotations

import pytest

from tests.conftest import REDIS_URL
from tests.support.live import server_env, start_seeded


@pytest.fixture(scope="module", params=["uvicorn", "daphne"])
def live_server(request, db_factory, tmp_path_factory):
    """A seeded server process (demo course + people), under each ASGI server in turn."""
    env = server_env(db_factory, tmp_path_factory.mktemp(request.param), REDIS_URL)
    server, seeded = start_seeded(request.param, env)
    server.seeded = seeded  # type: ignore[attr-defined]
    yield server
    server.stop()
