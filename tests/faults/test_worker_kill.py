"""kill -9 the grading worker while it grades: the job was never acknowledged, so once a
worker runs again it claims the job (after the lease, `COURSEWIRE_GRADING_STALE_SECONDS`)
and the submission ends graded, exactly once, with its grade event delivered."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.faults.clients import ResyncingClient, wait_for
from tests.grading_app.live import start_course_server
from tests.grading_app.test_worker_process import WORKER_CODE
from tests.support.servers import ROOT

# Slow enough to be caught mid-grading, well inside the 5 s time limit.
SLOW_RIGHT = {"code": "import time\ntime.sleep(2.5)\n\ndef double(x):\n    return 2 * x\n"}
LEASE_SECONDS = 3


def start_worker(live, tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, **live.server.env}
    if os.environ.get("MONGO_URL"):
        cmd = [sys.executable, "-m", "app.cli", "worker", "--concurrency", "2"]
    else:  # the embedded content store is one process's: the worker reads a copy
        worker_dir = tmp_path / name
        shutil.copytree(tmp_path / "web" / "content", worker_dir / "content",
                        ignore=shutil.ignore_patterns("LOCK"))
        env["COURSEWIRE_DATA_DIR"] = str(worker_dir)
        cmd = [sys.executable, "-c", WORKER_CODE, "2"]
    log = open(tmp_path / f"{name}.log", "wb")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


async def test_kill_9_worker_mid_grading_the_submission_is_still_graded_once(
        private_redis, private_db_factory, tmp_path):
    live = start_course_server(
        private_db_factory, tmp_path / "web", server="uvicorn", redis_url=private_redis.url,
        env_extra={"COURSEWIRE_GRADING_IN_APP": "0",
                   "COURSEWIRE_GRADING_STALE_SECONDS": str(LEASE_SECONDS),
                   "COURSEWIRE_GRADING_SWEEP_SECONDS": "1"})
    ada = "ada@example.org"
    ws_url = f"{live.server.ws_base}/api/v1/events?token={live.tokens[ada]}"
    client = ResyncingClient(lambda: [ws_url], ["user:me"])
    task = asyncio.create_task(client.run())
    first = second = None
    try:
        await asyncio.wait_for(client.ready.wait(), 15)
        first = start_worker(live, tmp_path, "worker-1")
        async with httpx.AsyncClient(base_url=live.server.base, headers=live.headers(ada),
                                     timeout=15) as c:
            r = await c.post(f"/api/v1/courses/{live.course_id}/blocks/code/submissions",
                             json={"answer": SLOW_RIGHT})
            assert r.status_code == 202, r.text
            sid = r.json()["id"]

            async def state() -> dict:
                return (await c.get(f"/api/v1/submissions/{sid}")).json()

            deadline = time.monotonic() + 60
            while (await state())["status"] != "grading":
                assert time.monotonic() < deadline, (tmp_path / "worker-1.log").read_text()
                await asyncio.sleep(0.05)
            first.kill()  # SIGKILL mid-job: no ack, no cleanup
            first.wait(10)
            killed_at = time.monotonic()
            assert (await state())["status"] in ("queued", "grading")

            second = start_worker(live, tmp_path, "worker-2")
            deadline = time.monotonic() + 60
            while (body := await state())["status"] not in ("graded", "error"):
                assert time.monotonic() < deadline, (tmp_path / "worker-2.log").read_text()
                await asyncio.sleep(0.2)
            recovery = time.monotonic() - killed_at
            assert (body["status"], body["points"]) == ("graded", 3), body
            await wait_for(lambda: sid in grade_events(client), 15, "the grade event")
            await asyncio.sleep(LEASE_SECONDS + 1)  # a second run would have landed by now
            assert grade_events(client).count(sid) == 1, client.frames
            print(f"worker kill -9: graded {recovery:.2f} s after the kill "
                  f"(lease {LEASE_SECONDS} s)")
    finally:
        client.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(15)
        live.server.stop()


def grade_events(client: ResyncingClient) -> list[int]:
    return [f["data"].get("submission_id") for f in client.events("grade.updated")]
