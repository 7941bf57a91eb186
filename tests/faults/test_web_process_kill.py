"""Two web processes share PostgreSQL and Redis, with ~1,000 API sockets attached (half on
each); kill -9 one of them while announcements are being written. The dead one's clients
reconnect to the survivor, resubscribe with `since` and end up with every announcement
that was answered 201: none lost, none twice. `COURSEWIRE_FAULT_SOCKETS` sets the count."""

from __future__ import annotations

import asyncio
import os
import time

import httpx

from tests.faults.clients import ResyncingClient, wait_for
from tests.support.live import api_token, seed_demo, server_env
from tests.support.servers import ServerProcess

COURSE = "course-v1:Coursewire+PY101+2026"
SOCKETS = int(os.environ.get("COURSEWIRE_FAULT_SOCKETS", "1000"))


async def announce(c: httpx.AsyncClient, base: str, token: str, title: str) -> int | None:
    """The new announcement's id, or None when the write was not acknowledged."""
    try:
        r = await c.post(f"{base}/api/v1/courses/{COURSE}/announcements",
                         json={"title": title, "body": "write load"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)
    except httpx.HTTPError:
        return None
    return r.json()["id"] if r.status_code == 201 else None


async def test_kill_9_one_of_two_web_processes_its_sockets_move_and_miss_nothing(
        private_redis, private_db_factory, tmp_path):
    env_a = server_env(private_db_factory, tmp_path / "a", private_redis.url)
    env_a["COURSEWIRE_HEARTBEAT_SECONDS"] = "25"
    env_b = {**env_a, "COURSEWIRE_DATA_DIR": str(tmp_path / "b")}
    seed_demo(env_a)
    a = ServerProcess("uvicorn", env_a).start()
    b = ServerProcess("uvicorn", env_b).start()
    clients: list[ResyncingClient] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        student = api_token(a.base, "ada@demo.coursewire")
        teacher = api_token(b.base, "instructor@demo.coursewire")
        url_a, url_b = (f"{s.ws_base}/api/v1/events?token={student}" for s in (a, b))
        for i in range(SOCKETS):
            ordered = [url_a, url_b] if i % 2 == 0 else [url_b, url_a]
            clients.append(ResyncingClient(lambda ordered=ordered: ordered,
                                           [f"course:{COURSE}"]))
        for start in range(0, SOCKETS, 100):  # connect in batches, as users arrive
            batch = clients[start:start + 100]
            tasks += [asyncio.create_task(c.run()) for c in batch]
            try:
                await asyncio.gather(*(asyncio.wait_for(c.ready.wait(), 90) for c in batch))
            except TimeoutError:
                waiting = [c for c in batch if not c.ready.is_set()]
                raise AssertionError(
                    f"{len(waiting)} of clients {start}-{start + 100} never connected: "
                    f"{sorted({c.last_error for c in waiting})[:5]}\n" + a.log()[-1500:]
                    + b.log()[-1500:]) from None
        on_a = [c for i, c in enumerate(clients) if i % 2 == 0]

        acknowledged: list[int] = []
        async with httpx.AsyncClient() as http:
            before = await announce(http, b.base, teacher, "Before the kill")
            assert before is not None
            acknowledged.append(before)

            async def write_load(n: int) -> None:
                for i in range(n):
                    if (made := await announce(http, b.base, teacher, f"Load {i}")):
                        acknowledged.append(made)
                    await asyncio.sleep(0.1)

            writer = asyncio.create_task(write_load(30))
            await asyncio.sleep(0.5)
            assert a.proc is not None
            a.proc.kill()  # SIGKILL: no close frames, no goodbye
            a.proc.wait(10)
            killed_at = time.monotonic()
            await writer
            after = await announce(http, b.base, teacher, "After the kill")
            assert after is not None
            acknowledged.append(after)

        def all_moved() -> bool:
            return all(c.connects >= 2 for c in on_a)

        try:
            await wait_for(all_moved, 120, "the killed process's clients reconnected")
        except AssertionError:
            stuck = [c for c in on_a if c.connects < 2]
            raise AssertionError(
                f"{len(stuck)} of {len(on_a)} clients never reconnected (closed seen: "
                f"{sum(c.closed_at is not None for c in stuck)}; errors: "
                f"{sorted({c.last_error for c in stuck})[:5]}); survivor log:\n"
                + b.log()[-2000:]) from None
        moved_in = max(c.reconnected_at or killed_at for c in on_a) - killed_at

        def everyone_has_everything() -> bool:
            return all(set(acknowledged) <= set(c.seen_ids("announcement.created"))
                       for c in clients)

        await wait_for(everyone_has_everything, 120,
                       "every acknowledged announcement on every client")
        for c in clients:
            ids = c.seen_ids("announcement.created")
            assert len(ids) == len(set(ids)), f"an announcement arrived twice: {ids}"
        survivor = httpx.get(b.base + "/healthz").json()
        assert survivor["sockets"] == SOCKETS, survivor
        print(f"web kill -9: {len(on_a)} sockets moved within {moved_in:.2f} s; "
              f"{len(acknowledged)} announcements, 0 lost, 0 duplicated")
    finally:
        for c in clients:
            c.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        a.stop()
        b.stop()
