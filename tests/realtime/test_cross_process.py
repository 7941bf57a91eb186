"""Two server processes sharing PostgreSQL and Redis: an event published through one reaches
sockets connected to the other (ARCHITECTURE.md, "Scaling out")."""

import json

import httpx
import pytest
import websockets

from tests.conftest import PG_BASE, REDIS_URL
from tests.support.live import api_token, recv_json, seed_demo, server_env
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.skipif(not (PG_BASE and REDIS_URL),
                                reason="needs PostgreSQL and Redis (service mode)")

COURSE = "course-v1:Coursewire+PY101+2026"


@pytest.fixture(scope="module")
def two_servers(db_factory, tmp_path_factory):
    env_a = server_env(db_factory, tmp_path_factory.mktemp("a"), REDIS_URL)
    # Same database, Redis namespace and secret; its own data dir (embedded content is
    # single-process, and nothing here needs it shared).
    env_b = {**env_a, "COURSEWIRE_DATA_DIR": str(tmp_path_factory.mktemp("b"))}
    seed_demo(env_a)
    a = ServerProcess("uvicorn", env_a).start()
    b = ServerProcess("daphne", env_b).start()
    yield a, b
    a.stop()
    b.stop()


async def test_announcement_posted_on_one_process_reaches_sockets_on_the_other(two_servers):
    a, b = two_servers
    student = api_token(b.base, "ada@demo.coursewire")
    async with websockets.connect(f"{b.ws_base}/api/v1/events?token={student}") as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"]}))
        assert (await recv_json(ws))["subscribed"] == [f"course:{COURSE}"]
        teacher = api_token(a.base, "instructor@demo.coursewire")
        r = httpx.post(f"{a.base}/api/v1/courses/{COURSE}/announcements",
                       json={"title": "Across processes", "body": "via Redis"},
                       headers={"Authorization": f"Bearer {teacher}"})
        assert r.status_code == 201
        frame = await recv_json(ws)
        assert frame["event"] == "announcement.created"
        assert frame["data"]["id"] == r.json()["id"]


async def test_sockets_on_both_processes_receive_one_copy_each(two_servers):
    a, b = two_servers
    student = api_token(a.base, "linus@demo.coursewire")
    urls = [f"{s.ws_base}/api/v1/events?token={student}" for s in (a, b)]
    async with websockets.connect(urls[0]) as ws_a, websockets.connect(urls[1]) as ws_b:
        for ws in (ws_a, ws_b):
            await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"]}))
            await recv_json(ws)
        teacher = api_token(b.base, "instructor@demo.coursewire")
        r = httpx.post(f"{b.base}/api/v1/courses/{COURSE}/announcements",
                       json={"title": "Everyone", "body": "once"},
                       headers={"Authorization": f"Bearer {teacher}"})
        seqs = [(await recv_json(ws))["seq"] for ws in (ws_a, ws_b)]
        assert seqs[0] == seqs[1]
        # Nothing else (no duplicate) arrives before a ping answer.
        for ws in (ws_a, ws_b):
            await ws.send(json.dumps({"ping": r.json()["id"]}))
            assert await recv_json(ws) == {"pong": r.json()["id"]}
