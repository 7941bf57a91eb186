"""A server restart (deploy) closes sockets with "service restart", and an API client that
reconnects with `since` = the last seq it saw gets what was published while it was away."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets

from realtime.connection import SERVICE_RESTART_CLOSE_CODE, SERVICE_RESTART_FALLBACK_CLOSE_CODE
from tests.conftest import REDIS_URL
from tests.support.live import api_token, recv_json, seed_demo, server_env
from tests.support.servers import ServerProcess

COURSE = "course-v1:Coursewire+PY101+2026"
# What each server can send: daphne's websocket library refuses 1012 from an application.
RESTART_CODE = {"uvicorn": SERVICE_RESTART_CLOSE_CODE,
                "daphne": SERVICE_RESTART_FALLBACK_CLOSE_CODE}


@pytest.fixture(params=["uvicorn", "daphne"])
def server(request, db_factory, tmp_path):
    env = server_env(db_factory, tmp_path, REDIS_URL)
    seed_demo(env)
    process = ServerProcess(request.param, env).start()
    yield process
    process.stop()


def announce(server: ServerProcess, title: str) -> int:
    token = api_token(server.base, "instructor@demo.coursewire")
    r = httpx.post(f"{server.base}/api/v1/courses/{COURSE}/announcements",
                   json={"title": title, "body": "after the deploy"},
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_restart_closes_with_service_restart_and_since_replays_what_was_missed(server):
    token = api_token(server.base, "ada@demo.coursewire")
    url = f"{server.ws_base}/api/v1/events?token={token}"
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"]}))
        assert (await recv_json(ws))["subscribed"] == [f"course:{COURSE}"]
        announce(server, "Before the deploy")
        last_seq = (await recv_json(ws))["seq"]

        server.stop()  # SIGTERM, as a deploy does
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await ws.recv()
        assert closed.value.rcvd is not None, "no close frame: the server dropped the socket"
        assert closed.value.rcvd.code == RESTART_CODE[server.server]

    server.start()  # a fresh process: same port, database and data dir
    missed = announce(server, "While you were away")

    # Tokens are signed with the deployment's secret, so the old one still works.
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"], "since": last_seq}))
        assert (await recv_json(ws))["subscribed"] == [f"course:{COURSE}"]
        replayed = await recv_json(ws)
        assert replayed["event"] == "announcement.created"
        assert replayed["data"]["id"] == missed and replayed["seq"] > last_seq
        # ... and it is live again in the new process.
        live = announce(server, "Back live")
        frame = await recv_json(ws)
        assert frame["data"]["id"] == live and frame["seq"] > replayed["seq"]
