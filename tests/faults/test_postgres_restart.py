"""PostgreSQL goes away and comes back under a running web process: while it is down every
request that needs it gets a clear 503 (JSON under /api, with Retry-After), never a 500
or a hang; once it is back the same process answers again without a restart, and every
write that was answered 201 before the outage is still there."""

from __future__ import annotations

import time

import httpx

from tests.faults.services import wait_until
from tests.support.live import api_token, seed_demo, server_env
from tests.support.servers import ServerProcess

COURSE = "course-v1:Coursewire+PY101+2026"


def announce(c: httpx.Client, token: str, title: str) -> httpx.Response:
    return c.post(f"/api/v1/courses/{COURSE}/announcements",
                  json={"title": title, "body": "before, during or after the outage"},
                  headers={"Authorization": f"Bearer {token}"}, timeout=15)


def test_postgres_restart_gives_503_then_recovers_with_nothing_lost(
        private_pg, private_redis, private_db_factory, tmp_path):
    env = server_env(private_db_factory, tmp_path, private_redis.url)
    seed_demo(env)
    web = ServerProcess("uvicorn", env).start()
    try:
        teacher = api_token(web.base, "instructor@demo.coursewire")
        with httpx.Client(base_url=web.base) as c:
            saved = []
            for i in range(5):
                r = announce(c, teacher, f"Committed {i}")
                assert r.status_code == 201, r.text
                saved.append(r.json()["id"])

            private_pg.stop("immediate")  # a crash: no checkpoint, connections cut
            down_at = time.monotonic()
            during = [announce(c, teacher, "During the outage"),
                      c.get(f"/api/v1/courses/{COURSE}/announcements",
                            headers={"Authorization": f"Bearer {teacher}"}, timeout=15),
                      c.get("/api/v1/me", headers={"Authorization": f"Bearer {teacher}"},
                            timeout=15)]
            for r in during:
                assert r.status_code == 503, (r.status_code, r.text[:500])
                assert r.json()["error"]["code"] == "service_unavailable", r.text
                assert r.headers.get("retry-after"), r.headers
            page = c.get(f"/courses/{COURSE}", timeout=15)
            assert page.status_code in (503, 303), page.text[:300]  # never a 500
            assert time.monotonic() - down_at < 30, "requests hung while the database was down"

            private_pg.start()
            up_at = time.monotonic()

            def listed() -> list[int] | None:
                r = c.get(f"/api/v1/courses/{COURSE}/announcements",
                          headers={"Authorization": f"Bearer {teacher}"}, timeout=15)
                return [a["id"] for a in r.json()] if r.status_code == 200 else None

            ids = wait_until(listed, 30, "the web process answers again after the restart")
            recovery = time.monotonic() - up_at
            assert set(saved) <= set(ids), (saved, ids)  # nothing committed is lost
            r = announce(c, teacher, "After the outage")
            assert r.status_code == 201, r.text
            print(f"postgres restart: recovered {recovery:.2f} s after it came back")
    finally:
        web.stop()
