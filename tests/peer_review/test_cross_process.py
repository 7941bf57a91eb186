"""Two server processes sharing PostgreSQL and Redis: reviewers wait on both; responses
submitted through both at once are each leased to exactly one waiting reviewer (graded_by
1), and the assignment reaches that reviewer's socket whichever process it is on."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from tests.conftest import PG_BASE, REDIS_URL
from tests.grading_app.live import PASSWORD, _cli, write_course
from tests.peer_review.conftest import EXTRA, GOOD, QUICK
from tests.support.live import recv_json, server_env
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.skipif(not (PG_BASE and REDIS_URL),
                                reason="needs PostgreSQL and Redis (service mode)")

COURSE = "course-v1:Test+GR101+2026"
REVIEWERS = 6


@pytest.fixture(scope="module")
def two_servers(db_factory, tmp_path_factory):
    env_a = server_env(db_factory, tmp_path_factory.mktemp("pra"), REDIS_URL)
    # Same database, Redis namespace, secret and MONGO_DB; its own data dir. The embedded
    # content store is per process, so the course folder is imported through each (into a
    # shared MongoDB server the second import changes nothing).
    env_b = {**env_a, "COURSEWIRE_DATA_DIR": str(tmp_path_factory.mktemp("prb"))}
    _cli(env_a, "migrate")
    _cli(env_a, "createuser", "prof@example.org", "--name", "Prof", "--password", "-",
         "--course-creator", stdin=PASSWORD + "\n")
    folder = write_course(tmp_path_factory.mktemp("prcourse"), EXTRA)
    for env in (env_a, env_b):
        _cli(env, "import-course", str(folder), "--publish", "--instructor", "prof@example.org")
    a = ServerProcess("uvicorn", env_a).start()
    b = ServerProcess("daphne", env_b).start()
    yield a, b
    a.stop()
    b.stop()


def _people(base: str, n: int) -> list[dict[str, str]]:
    with httpx.Client(base_url=base) as c:
        tok = c.post("/api/v1/auth/token", json={"email": "prof@example.org",
                                                 "password": PASSWORD}).json()
        prof = {"Authorization": f"Bearer {tok['access_token']}"}
        headers = []
        for i in range(n):
            email = f"x{i}@example.org"
            uid = c.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD,
                                                        "name": f"X{i}"}).json()["id"]
            assert c.put(f"/api/v1/courses/{COURSE}/members/{uid}", json={"role": "student"},
                         headers=prof).status_code == 200
            tok = c.post("/api/v1/auth/token", json={"email": email,
                                                     "password": PASSWORD}).json()
            headers.append({"Authorization": f"Bearer {tok['access_token']}"})
        return headers


async def test_each_new_response_goes_to_exactly_one_waiter_across_processes(two_servers):
    a, b = two_servers
    people = _people(a.base, REVIEWERS + 2)
    reviewers, late = people[:REVIEWERS], people[REVIEWERS:]
    servers = [a if i % 2 else b for i in range(len(people))]
    sub = f"/api/v1/courses/{COURSE}/blocks/{QUICK}/submissions"
    nxt = f"/api/v1/peer-review/{COURSE}/{QUICK}/next"
    async with httpx.AsyncClient() as c:
        for i, h in enumerate(reviewers):
            r = await c.post(servers[i].base + sub, json={"answer": {"text": f"r{i}"}},
                             headers=h)
            assert r.status_code == 202, r.text
        for i, h in enumerate(reviewers):  # review while there is work, then wait
            while (r := await c.get(servers[i].base + nxt, headers=h)).status_code == 200:
                done = await c.post(f"{servers[i].base}/api/v1/peer-review/assignments/"
                                    f"{r.json()['id']}/assessment", json=GOOD, headers=h)
                assert done.status_code == 201, done.text
            assert r.status_code == 204
        sockets = []
        for i, h in enumerate(reviewers):
            token = h["Authorization"].removeprefix("Bearer ")
            ws = await websockets.connect(f"{servers[i].ws_base}/api/v1/events?token={token}")
            await ws.send(json.dumps({"subscribe": ["user:me"]}))
            assert (await recv_json(ws))["subscribed"] == ["user:me"]
            sockets.append(ws)
        # Two late responses at once, one through each process.
        posted = await asyncio.gather(*[
            c.post(s.base + sub, json={"answer": {"text": f"late {k}"}}, headers=h)
            for k, (s, h) in enumerate(zip((a, b), late, strict=True))])
        assert all(r.status_code == 202 for r in posted)

        async def assigned(ws) -> dict | None:
            async def first() -> dict:
                while True:
                    frame = await recv_json(ws)
                    if frame.get("event") == "peer_review.assigned":
                        return frame["data"]
            try:  # one overall deadline: heartbeats arrive every second
                return await asyncio.wait_for(first(), 4)
            except TimeoutError:
                return None

        got = await asyncio.gather(*[assigned(ws) for ws in sockets])
        handed = [g for g in got if g is not None]
        assert len(handed) == 2, got
        assert {g["submission"]["answer"]["text"] for g in handed} == {"late 0", "late 1"}
        # The API agrees: the two reviewers hold those leases, the others still wait.
        for i, h in enumerate(reviewers):
            r = await c.get(servers[i].base + nxt, headers=h)
            if got[i] is None:
                assert r.status_code == 204
            else:
                assert r.status_code == 200 and r.json()["id"] == got[i]["id"]
        for ws in sockets:
            await ws.close()
