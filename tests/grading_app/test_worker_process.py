"""Service mode: a separate grading worker process (`coursewire worker --concurrency 2`)
grades what the web server queued in Redis: a code answer in the sandbox and an answer
for an external grader."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import httpx
import pytest
import redis

from tests.conftest import REDIS_URL
from tests.grading_app.live import start_course_server
from tests.support.servers import ROOT, free_port

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not REDIS_URL, reason="service mode (REDIS_URL) only")]

# Only the worker runs the in-process steps below; the web server must not consume.
WORKER_CODE = """
import asyncio, logging, sys
from app.runtime import Runtime
from core.settings import load_settings
from grading.worker import run_worker
settings = load_settings()
Runtime(settings).bind()  # as `coursewire worker` does
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
asyncio.run(run_worker(settings, int(sys.argv[1])))
"""


def _grading_stream(env: dict[str, str]) -> tuple[int, int]:
    """(jobs in the grading stream, consumers that ever read it) for this server's prefix."""
    client = redis.Redis.from_url(REDIS_URL)
    stream = f"{env['COURSEWIRE_REDIS_PREFIX']}:grading:jobs"
    try:
        groups = client.xinfo_groups(stream) if client.exists(stream) else []
        return client.xlen(stream), sum(g["consumers"] for g in groups)
    finally:
        client.close()


def _wait(proc: subprocess.Popen, url: str) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise AssertionError("process exited")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.HTTPError:  # the grader process is still starting: nothing to await
            time.sleep(0.1)


def test_worker_process_grades_queued_code_and_external_answers(db_factory, tmp_path):
    grader_port = free_port()
    grader = subprocess.Popen([sys.executable, "-m", "tests.support.example_grader", "--port",
                               str(grader_port)], cwd=ROOT)
    _wait(grader, f"http://127.0.0.1:{grader_port}/log")
    extra = {"02-more/01-hw/01-unit-hw/09-ext.yaml": f"""
        type: problem
        title: External
        kind: text
        prompt: Six times seven?
        max_points: 4
        grader_url: http://127.0.0.1:{grader_port}/sync
    """}
    live = start_course_server(db_factory, tmp_path / "web", course_extra=extra,
                               env_extra={"COURSEWIRE_GRADING_IN_APP": "0"})
    worker = None
    try:
        env = {**os.environ, **live.server.env}
        if os.environ.get("MONGO_URL"):  # a shared content store: the real CLI command
            cmd = [sys.executable, "-m", "app.cli", "worker", "--concurrency", "2"]
        else:
            # The embedded content store is one process's, so the worker gets its own
            # copy of the imported course (read-only here) and runs the same entry point
            # `coursewire worker` calls; the CLI itself insists on MONGO_URL.
            worker_dir = tmp_path / "worker"
            shutil.copytree(tmp_path / "web" / "content", worker_dir / "content",
                            ignore=shutil.ignore_patterns("LOCK"))
            env["COURSEWIRE_DATA_DIR"] = str(worker_dir)
            cmd = [sys.executable, "-c", WORKER_CODE, "2"]
        headers = {n: live.headers(f"{n}@example.org") for n in ("ada", "bob")}
        base = f"{live.server.base}/api/v1/courses/{live.course_id}/blocks"
        answers = [("ada", "code", {"code": "def double(x):\n    return 2 * x\n"}),
                   ("bob", "code", {"code": "def double(x):\n    return x\n"}),
                   ("ada", "ext", {"text": "it is 42"})]
        ids = []
        for who, block, answer in answers:
            r = httpx.post(f"{base}/{block}/submissions", json={"answer": answer},
                           headers=headers[who])
            assert r.status_code == 202, r.text
            ids.append((who, r.json()["id"]))
        # Nobody grades yet: the web server only queues. Had it a consumer, it would have
        # read the stream (joining its group) when it started, before serving.
        assert _grading_stream(live.server.env) == (3, 0)  # three jobs, no consumer
        for who, sid in ids:
            body = httpx.get(f"{live.server.base}/api/v1/submissions/{sid}",
                             headers=headers[who]).json()
            assert body["status"] == "queued", body
        log = open(tmp_path / "worker.log", "wb")
        worker = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        final = {}
        deadline = time.monotonic() + 60
        while len(final) < len(ids) and time.monotonic() < deadline:
            for who, sid in ids:
                body = httpx.get(f"{live.server.base}/api/v1/submissions/{sid}",
                                 headers=headers[who]).json()
                if body["status"] in ("graded", "error"):
                    final[sid] = body
            time.sleep(0.2)
        text = (tmp_path / "worker.log").read_text()
        assert len(final) == len(ids), text
        (_, right), (_, wrong), (_, ext) = ids
        assert (final[right]["status"], final[right]["points"]) == ("graded", 3), final[right]
        assert (final[wrong]["status"], final[wrong]["points"]) == ("graded", 0), final[wrong]
        assert (final[ext]["status"], final[ext]["points"]) == ("graded", 4), final[ext]
        assert "grading worker started (concurrency 2)" in text
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(15)
        live.server.stop()
        grader.terminate()
        grader.wait(10)
