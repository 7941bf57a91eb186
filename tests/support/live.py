"""Clients for live tests: API tokens, browser-like sessions, websocket helpers."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import websockets

from tests.support.content_databases import CONTENT_DATABASES
from tests.support.databases import DatabaseFactory, run
from tests.support.servers import ROOT, ServerProcess

DEMO_PASSWORD = "coursewire-demo"


def server_env(db_factory: DatabaseFactory, data_dir: Path, redis_url: str | None,
               prefix: str | None = None, database_url: str | None = None) -> dict[str, str]:
    env = {
        "COURSEWIRE_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url or run(db_factory.new_url()),
        "SECRET_KEY": "live-test-" + uuid.uuid4().hex,
        "COURSEWIRE_REDIS_PREFIX": prefix or "cwlive:" + uuid.uuid4().hex[:8],
        "COURSEWIRE_HEARTBEAT_SECONDS": "1",
        "COURSEWIRE_GRADER_ALLOWED_HOSTS": "127.0.0.1",  # test graders run here
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    # With MONGO_URL: a fresh content database on that server; the server still grades
    # in process (test_worker_process turns that off and runs `coursewire worker`).
    if content := CONTENT_DATABASES.env():
        env.update(content, COURSEWIRE_GRADING_IN_APP="1")
    return env


def seed_demo(env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "app.cli", "demo", "--seed-only"], cwd=ROOT,
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_seeded(server: str, env: dict[str, str]) -> tuple[ServerProcess, dict[str, Any]]:
    seeded = seed_demo(env)
    return ServerProcess(server, env).start(), seeded


def seeded_server(db_factory: DatabaseFactory, data_dir: Path,
                  redis_url: str | None) -> Iterator[ServerProcess]:
    """The body of a module's `server` fixture: uvicorn on the seeded demo, stopped after."""
    process, _ = start_seeded("uvicorn", server_env(db_factory, data_dir, redis_url))
    yield process
    process.stop()


def api_token(base: str, email: str, password: str = DEMO_PASSWORD) -> str:
    r = httpx.post(base + "/api/v1/auth/token", json={"email": email, "password": password})
    r.raise_for_status()
    return r.json()["access_token"]


def session_cookie(base: str, email: str, password: str = DEMO_PASSWORD) -> tuple[str, str]:
    """Log in through the form; returns (Cookie header value, csrf token)."""
    import re

    with httpx.Client(base_url=base) as c:
        page = c.get("/login")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = c.post("/login", data={"email": email, "password": password, "csrf_token": csrf})
        assert r.status_code == 303, r.text
        home = c.get("/")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
        return "; ".join(f"{k}={v}" for k, v in c.cookies.items()), csrf


async def recv_json(ws: websockets.ClientConnection, timeout: float = 5.0,
                    skip_heartbeats: bool = True) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if skip_heartbeats and frame.get("event") == "heartbeat":
            continue
        return frame


async def recv_until(ws: websockets.ClientConnection, predicate, timeout: float = 5.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise TimeoutError("expected frame never arrived")
        raw = await asyncio.wait_for(ws.recv(), left)
        if predicate(raw):
            return raw
