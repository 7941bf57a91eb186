"""Redis restarts empty (kill -9, no persistence) under a running web process that grades
from the Redis queue: the process is not restarted, yet a code answer submitted after the
restart is graded, one submitted just before it is graded too (if its job went with
Redis, the sweeper enqueues it again), and an API client's socket gets the grade events, live or
replayed after it reconnects."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.faults.clients import ResyncingClient, wait_for
from tests.grading_app.live import start_course_server

RIGHT = {"code": "def double(x):\n    return 2 * x\n"}


async def submit(c: httpx.AsyncClient, live, who: str) -> int:
    r = await c.post(f"/api/v1/courses/{live.course_id}/blocks/code/submissions",
                     json={"answer": RIGHT}, headers=live.headers(who), timeout=15)
    assert r.status_code == 202, r.text
    return r.json()["id"]


async def status(c: httpx.AsyncClient, live, who: str, sid: int) -> dict:
    r = await c.get(f"/api/v1/submissions/{sid}", headers=live.headers(who), timeout=15)
    assert r.status_code == 200, r.text
    return r.json()


async def test_redis_restart_empty_grading_and_sockets_resume_without_a_web_restart(
        private_redis, private_db_factory, tmp_path):
    live = start_course_server(
        private_db_factory, tmp_path / "web", server="uvicorn", redis_url=private_redis.url,
        env_extra={"COURSEWIRE_GRADING_IN_APP": "1",
                   # Short enough to see a lost job come back within the test.
                   "COURSEWIRE_GRADING_STALE_SECONDS": "3",
                   "COURSEWIRE_GRADING_SWEEP_SECONDS": "1"})
    web_pid = live.server.proc.pid if live.server.proc else None
    ws_url = f"{live.server.ws_base}/api/v1/events?token={live.tokens['ada@example.org']}"
    client = ResyncingClient(lambda: [ws_url], ["user:me"])
    task = asyncio.create_task(client.run())
    try:
        await asyncio.wait_for(client.ready.wait(), 15)
        async with httpx.AsyncClient(base_url=live.server.base) as c:
            before = await submit(c, live, "ada@example.org")
            await wait_for(lambda: before in graded_ids(client), 60, "the first grade event")

            racing = await submit(c, live, "bob@example.org")  # its job may go with Redis
            private_redis.restart_empty()
            restarted_at = time.monotonic()
            assert private_redis.keys() == 0

            after = None
            deadline = time.monotonic() + 30
            while after is None:  # the first submit may meet Redis still coming back
                try:
                    after = await submit(c, live, "ada@example.org")
                except AssertionError:
                    assert time.monotonic() < deadline, "submissions refused after restart"
                    await asyncio.sleep(0.5)

            async def graded() -> bool:
                return (await status(c, live, "ada@example.org", after))["status"] == "graded"

            deadline = time.monotonic() + 60
            while not await graded():
                assert time.monotonic() < deadline, (
                    "grading never resumed after Redis restarted empty:\n"
                    + live.server.log()[-3000:])
                await asyncio.sleep(0.3)
            recovery = time.monotonic() - restarted_at
            final = await status(c, live, "ada@example.org", after)
            assert final["points"] == 3, final
            deadline = time.monotonic() + 30
            while (await status(c, live, "bob@example.org", racing))["status"] != "graded":
                assert time.monotonic() < deadline, "the job lost with Redis was never run"
                await asyncio.sleep(0.3)
            # The socket (reconnected or not) gets the grade, live or replayed.
            await wait_for(lambda: after in graded_ids(client), 30,
                           "the grade event after the restart on the client's socket")
            assert live.server.proc and live.server.proc.pid == web_pid
            assert live.server.proc.poll() is None, "the web process died"
            # Nothing graded twice: one grade event per submission.
            assert graded_ids(client).count(after) == 1, client.frames
            print(f"redis restart: grading resumed {recovery:.2f} s after Redis came back; "
                  f"socket connects {client.connects}")
    finally:
        client.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        live.server.stop()


def graded_ids(client: ResyncingClient) -> list[int]:
    return [f["data"].get("submission_id") for f in client.events("grade.updated")]
