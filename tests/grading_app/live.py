"""A real server (daphne or uvicorn) with the grading test course, for live tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import websockets

from tests.conftest import REDIS_URL
from tests.grading_app.conftest import COURSE_ID, write_course
from tests.support.databases import DatabaseFactory
from tests.support.live import api_token, recv_json, server_env
from tests.support.servers import ROOT, ServerProcess

PASSWORD = "correct horse battery"
PEOPLE = [("prof@example.org", "Prof"), ("ta@example.org", "Tara TA"),
          ("ada@example.org", "Ada"), ("bob@example.org", "Bob")]


@dataclass
class LiveCourse:
    server: ServerProcess
    course_id: str
    tokens: dict[str, str]  # email -> bearer token
    ids: dict[str, int]

    def headers(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[email]}"}


async def subscribe_events(live: LiveCourse, email: str,
                           topics: list[str]) -> websockets.ClientConnection:
    """An /api/v1/events socket for `email`, subscribed to `topics` (all must be granted)."""
    ws = await websockets.connect(f"{live.server.ws_base}/api/v1/events?token="
                                  f"{live.tokens[email]}")
    await ws.send(json.dumps({"subscribe": topics}))
    answer = await recv_json(ws)
    assert answer["denied"] == [], answer
    return ws


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    out = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT,
                         env={**os.environ, **env}, input=stdin, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr + out.stdout
    return out.stdout


def _cli_batch(env: dict[str, str], data_dir: Path, commands: list[dict[str, object]]) -> None:
    """The set-up's commands in one process (tests.support.cli_batch), not one each."""
    spec = data_dir / "cli-batch.json"
    spec.write_text(json.dumps(commands), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "tests.support.cli_batch", str(spec)],
                         cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr + out.stdout


def start_course_server(db_factory: DatabaseFactory, data_dir: Path, *, server: str = "daphne",
                        course_extra: dict[str, str] | None = None,
                        env_extra: dict[str, str] | None = None,
                        students: int = 0, redis_url: str | None = REDIS_URL) -> LiveCourse:
    env = server_env(db_factory, data_dir, redis_url)
    env.update(env_extra or {})
    process = ServerProcess(server, env)
    env["COURSEWIRE_PUBLIC_URL"] = process.base
    people = PEOPLE + [(f"s{i}@example.org", f"Student {i}") for i in range(students)]
    folder = write_course(data_dir / "course", course_extra)
    _cli_batch(env, data_dir, [{"args": ["migrate"]}] + [
        {"args": ["createuser", email, "--name", name, "--password", "-",
                  *(["--course-creator"] if email.startswith("prof") else [])],
         "stdin": PASSWORD + "\n"} for email, name in people] + [
        {"args": ["import-course", str(folder), "--publish",
                  "--instructor", "prof@example.org"]}])
    process.start()
    tokens = {email: api_token(process.base, email, PASSWORD) for email, _ in people}
    ids = {}
    with httpx.Client(base_url=process.base) as c:
        for email, _ in people:
            me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens[email]}"})
            ids[email] = me.json()["id"]
            if email.startswith("prof"):
                continue
            role = "ta" if email.startswith("ta") else "student"
            r = c.put(f"/api/v1/courses/{COURSE_ID}/members/{ids[email]}", json={"role": role},
                      headers={"Authorization": f"Bearer {tokens['prof@example.org']}"})
            assert r.status_code == 200, r.text
    return LiveCourse(process, COURSE_ID, tokens, ids)
