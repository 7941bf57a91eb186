"""Grading figures: grade push latency and a submission storm, against a real server.

    python bench/grading_bench.py latency --students 1000 [--seconds 30] [--baseline]
    python bench/grading_bench.py storm --students 9000 --seconds 300 [--baseline]
    python bench/grading_bench.py statements

Uses DATABASE_URL / REDIS_URL if set (PostgreSQL + Redis), else SQLite + in-memory.
Grading runs where the wiring puts it (in the web process unless MONGO_URL and a
`coursewire worker` are used). Prints Markdown.

latency: N students hold an /api/v1/events socket subscribed to user:me; all N submit a
  multiple-choice answer at once (HTTP), or evenly over --seconds S while all stay
  connected. Per student: end to end = grade.updated frame
  received - submit request sent; commit->frame = frame received - graded_at (the commit
  timestamp the server stored; same machine clock).
storm: N students arrive evenly over S seconds; each GETs its unit page, then POSTs an
  answer. Reports errors, HTTP p95 per request kind, and queue drain time (last submit
  answered -> last submission graded).
--baseline (same run, same server, same sockets, measured first):
  latency: each student, at the same rate, makes an authenticated HTTP round trip that
    grades nothing (GET /api/v1/me), then the bench publishes an event of the grade
    frame's size to that student's user:<id> through the app's own path
    (realtime.publish: event-log row + Redis channel layer + hub). End to end = frame
    received - request sent; publish->frame = frame received - publish called. The
    ratio grading/baseline is what grading adds. Needs REDIS_URL.
  storm: the same students and arrival rate GET the same unit page, then make a GET
    /api/v1/me instead of the submit (no grading); then the real storm runs.
statements: SQL statements per multiple-choice submission, in process (no server): the
  API POST, then everything until the grade is published; counted from Tortoise's
  `tortoise.db_client` debug log (one line per statement sent).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import websockets

from tests.grading_app.conftest import COURSE_ID, write_course
from tests.support.servers import ServerProcess

SECRET = "bench-" + uuid.uuid4().hex


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def seed(env: dict[str, str], students: int,
               write_folder: Callable[[Path], Path] = write_course,
               course_id: str = COURSE_ID) -> dict[int, str]:
    """Migrate, import and publish the course `write_folder` writes under the data dir,
    create and enrol students in bulk; returns {user_id: token}."""
    from accounts.passwords import hash_password
    from accounts.service import register_user
    from accounts.tokens import issue_token
    from app.cli.stores import with_stores
    from core.settings import load_settings
    from courseware.service import import_course_folder
    from models.courses import Membership, Role
    from models.db import migrate
    from models.users import User

    async def action() -> dict[int, str]:
        prof = await register_user("prof@example.org", "correct horse battery", "Prof",
                                   can_create_courses=True)
        folder = write_folder(Path(env["COURSEWIRE_DATA_DIR"]) / "course")
        await import_course_folder(None, folder, publish=True, instructor=prof)
        pw = hash_password("correct horse battery")
        await User.bulk_create([User(email=f"s{i}@example.org", name=f"Student {i}",
                                     password_hash=pw) for i in range(students)],
                               batch_size=1000)
        ids = [u for u in await User.filter(email__startswith="s").values_list("id", flat=True)]
        await Membership.bulk_create([Membership(user_id=i, course_id=course_id,
                                                 role=Role.STUDENT) for i in ids],
                                     batch_size=1000)
        return {i: issue_token(i, SECRET, 24 * 3600) for i in ids}

    settings = load_settings(env)
    await migrate(settings)
    return await with_stores(settings, action)


def make_env(data_dir: Path) -> dict[str, str]:
    env = {"COURSEWIRE_DATA_DIR": str(data_dir), "SECRET_KEY": SECRET,
           "COURSEWIRE_REDIS_PREFIX": "cwbench:" + uuid.uuid4().hex[:8]}
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import asyncpg

        name = "cw_bench_" + uuid.uuid4().hex[:8]

        async def create() -> None:
            conn = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1))
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        asyncio.run(create())
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
    else:
        env["DATABASE_URL"] = f"sqlite://{data_dir / 'bench.sqlite3'}"
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    # Content on the embedded store in the data dir, for the seed and the server alike (a
    # MONGO_URL in the caller's environment would send the server elsewhere: 404 pages).
    env["MONGO_URL"] = ""
    return env


async def latency(server: ServerProcess, tokens: dict[int, str], spread: float = 0.0,
                  env: dict[str, str] | None = None) -> dict[str, object]:
    """Grade push latency; with `env`, first the no-grading baseline on the same sockets."""
    sockets = {}
    for uid, token in tokens.items():
        ws = await websockets.connect(f"{server.ws_base}/api/v1/events?token={token}",
                                      max_size=None, open_timeout=60,
                                      ping_interval=None)
        await ws.send(json.dumps({"subscribe": ["user:me"]}))
        sockets[uid] = ws
    for ws in sockets.values():
        while "subscribed" not in json.loads(await ws.recv()):
            pass
    result: dict[str, object] = {}
    if env is not None:
        result["baseline"] = await _baseline_latency(server, tokens, sockets, spread, env)
    received: dict[int, tuple[float, float]] = {}
    sizes: list[int] = []

    lost: list[int] = []

    async def listen(uid: int, ws) -> None:
        while True:
            try:
                raw = await ws.recv()
                frame = json.loads(raw)
            except websockets.ConnectionClosed:
                # e.g. the server's keepalive ping timed out on a saturated box: counted.
                lost.append(uid)
                return
            if frame.get("event") == "grade.updated":
                sizes.append(len(raw))
                graded_at = datetime.fromisoformat(frame["data"]["graded_at"]).timestamp()
                received[uid] = (time.time(), graded_at)
                return

    listeners = [asyncio.create_task(listen(uid, ws)) for uid, ws in sockets.items()]
    sent: dict[int, float] = {}
    retried: list[str] = []
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=120) as c:
        async def submit(uid: int, token: str, delay: float) -> None:
            await asyncio.sleep(delay)
            sent[uid] = time.time()
            for attempt in range(3):
                try:
                    r = await c.post(f"/api/v1/courses/{COURSE_ID}/blocks/pick/submissions",
                                     json={"answer": {"choice": "a"}},
                                     headers={"Authorization": f"Bearer {token}"})
                except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                    # A pooled connection closed under the client: retry (and count it).
                    retried.append(type(exc).__name__)
                    continue
                # 409 after a retry: the first attempt was stored; its frame will come.
                assert r.status_code == 202 or (attempt and r.status_code == 409), r.text
                return
            raise RuntimeError(f"student {uid}: submit failed 3 times")

        t0 = time.time()
        n = len(tokens)
        await asyncio.gather(*(submit(uid, t, i * spread / n)
                               for i, (uid, t) in enumerate(tokens.items())))
        await asyncio.wait_for(asyncio.gather(*listeners), 300)
        total = time.time() - t0
    for ws in sockets.values():
        await ws.close()
    e2e = [(received[u][0] - sent[u]) * 1000 for u in received]
    c2f = [(received[u][0] - received[u][1]) * 1000 for u in received]
    result.update({"students": len(tokens), "spread_s": spread,
                   "e2e_p50": pct(e2e, 50), "e2e_p95": pct(e2e, 95),
                   "e2e_p99": pct(e2e, 99), "c2f_p50": pct(c2f, 50), "c2f_p95": pct(c2f, 95),
                   "c2f_p99": pct(c2f, 99), "all_graded_s": total,
                   "submit_retries": len(retried), "lost_sockets": len(lost),
                   "frame_bytes": round(sum(sizes) / len(sizes)) if sizes else 0})
    base = result.get("baseline")
    if isinstance(base, dict):
        result["ratio"] = {k: round(result[k] / base[k], 2) if base[k] else None  # type: ignore[operator]
                           for k in ("e2e_p50", "e2e_p95", "e2e_p99", "c2f_p50", "c2f_p95",
                                     "c2f_p99")}
    return result


# Padding so the baseline frame is about a grade.updated frame's size (see frame_bytes).
BASELINE_FRAME_BYTES = 300


async def _baseline_latency(server: ServerProcess, tokens: dict[int, str], sockets: dict,
                            spread: float, env: dict[str, str]) -> dict[str, float]:
    """The same students at the same rate: an HTTP round trip that grades nothing, then a
    bare publish of a grade-sized event to user:<id> through the app's publish path."""
    from tortoise import Tortoise

    from models.db import tortoise_config
    from realtime.layer import make_channel_layer
    from realtime.publish import publish
    from realtime.relay import Relay

    if not env.get("REDIS_URL"):
        raise SystemExit("--baseline needs REDIS_URL (the bench publishes into the server's "
                         "channel layer)")
    await Tortoise.init(config=tortoise_config(env["DATABASE_URL"]))
    layer = make_channel_layer(env["REDIS_URL"], env["COURSEWIRE_REDIS_PREFIX"])
    relay = Relay(layer)
    await relay.start()
    received: dict[int, float] = {}
    published: dict[int, float] = {}
    sent: dict[int, float] = {}

    async def listen(uid: int, ws) -> None:
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("event") == "bench.baseline":
                received[uid] = time.time()
                return

    listeners = [asyncio.create_task(listen(uid, ws)) for uid, ws in sockets.items()]
    padding = "x" * BASELINE_FRAME_BYTES
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=120,
                                     limits=httpx.Limits(max_connections=200)) as c:
            async def one(uid: int, token: str, delay: float) -> None:
                await asyncio.sleep(delay)
                sent[uid] = time.time()
                r = await c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
                assert r.status_code == 200, r.text
                published[uid] = time.time()
                await publish(f"user:{uid}", "bench.baseline",
                              {"self": {"user_id": uid, "padding": padding}})

            t0 = time.time()
            n = len(tokens)
            await asyncio.gather(*(one(uid, t, i * spread / n)
                                   for i, (uid, t) in enumerate(tokens.items())))
            await asyncio.wait_for(asyncio.gather(*listeners), 300)
            total = time.time() - t0
    finally:
        await relay.stop()
        if hasattr(layer, "close_pools"):
            await layer.close_pools()
        await Tortoise.close_connections()
    e2e = [(received[u] - sent[u]) * 1000 for u in received]
    c2f = [(received[u] - published[u]) * 1000 for u in received]
    return {"e2e_p50": pct(e2e, 50), "e2e_p95": pct(e2e, 95), "e2e_p99": pct(e2e, 99),
            "c2f_p50": pct(c2f, 50), "c2f_p95": pct(c2f, 95), "c2f_p99": pct(c2f, 99),
            "all_received_s": total}


async def storm(server: ServerProcess, tokens: dict[int, str], seconds: float,
                env: dict[str, str], baseline: bool = False) -> dict[str, object]:
    """The storm; with `baseline`, first the same arrivals with GET /api/v1/me instead of
    the submit (nothing graded), and the ratios."""
    result: dict[str, object] = {}
    if baseline:
        result["baseline"] = await _storm_run(server, tokens, seconds, submit=False)
    real = await _storm_run(server, tokens, seconds, submit=True)
    errors = real.pop("_errors")
    real["drain_s"] = await wait_drained(env, len(tokens) - sum(
        1 for e in errors if e.startswith("page"))) - real.pop("_submitted_at")  # type: ignore[operator]
    result.update(real)
    base = result.get("baseline")
    if isinstance(base, dict):
        base.pop("_errors")
        base.pop("_submitted_at")
        result["ratio"] = {k: round(real[k] / base[k], 2) if base[k] else None  # type: ignore[operator]
                           for k in ("page_p50", "page_p95", "post_p50", "post_p95")}
    return result


async def _storm_run(server: ServerProcess, tokens: dict[int, str], seconds: float, *,
                     submit: bool) -> dict[str, object]:
    page_ms: list[float] = []
    post_ms: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=500)
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=60) as c:
        async def student(uid: int, token: str, delay: float) -> None:
            await asyncio.sleep(delay)
            h = {"Authorization": f"Bearer {token}"}
            try:
                t = time.perf_counter()
                r = await c.get(f"/courses/{COURSE_ID}/units/unit-one", headers=h)
                page_ms.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    errors.append(f"page {r.status_code}")
                    return
                t = time.perf_counter()
                if submit:
                    r = await c.post(f"/api/v1/courses/{COURSE_ID}/blocks/pick/submissions",
                                     json={"answer": {"choice": "a" if uid % 2 else "b"}},
                                     headers=h)
                else:  # baseline: an authenticated request that grades nothing
                    r = await c.get("/api/v1/me", headers=h)
                post_ms.append((time.perf_counter() - t) * 1000)
                if r.status_code != (202 if submit else 200):
                    errors.append(f"submit {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)

        n = len(tokens)
        t0 = time.monotonic()
        await asyncio.gather(*(student(uid, tok, i * seconds / n)
                               for i, (uid, tok) in enumerate(tokens.items())))
        submitted_at = time.monotonic()
    return {"students": n, "seconds": submitted_at - t0, "errors": len(errors),
            "error_kinds": sorted(set(errors)), "page_p50": pct(page_ms, 50),
            "page_p95": pct(page_ms, 95), "post_p50": pct(post_ms, 50),
            "post_p95": pct(post_ms, 95), "_errors": errors, "_submitted_at": submitted_at}


async def wait_drained(env: dict[str, str], expected: int) -> float:
    from tortoise import Tortoise

    from models.db import tortoise_config
    from models.grading import Status, Submission

    await Tortoise.init(config=tortoise_config(env["DATABASE_URL"]))
    try:
        while True:
            done = await Submission.filter(status__in=[Status.GRADED, Status.ERROR]).count()
            if done >= expected:
                return time.monotonic()
            await asyncio.sleep(0.2)
    finally:
        await Tortoise.close_connections()


POLL = 'SELECT 1 FROM "grading_submissions" WHERE "id"'


async def statements(env: dict[str, str]) -> dict[str, object]:
    import logging

    from accounts.tokens import issue_token
    from app.application import create_app
    from core.settings import load_settings
    from models.db import migrate
    from models.grading import Status, Submission
    from tests.grading_app.conftest import setup_course

    sent: list[str] = []
    counting = False

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if counting:
                sent.append(record.getMessage().split(": ", 1)[0][:100])

    settings = load_settings(env)
    await migrate(settings)
    app = create_app(settings)
    await app.runtime.start()
    db_log = logging.getLogger("tortoise.db_client")
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(Count())
    runs = []
    try:
        _, _, *students = await setup_course(settings, Path(env["COURSEWIRE_DATA_DIR"]) / "c")
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
            for student in students:
                sent.clear()
                counting = True
                r = await c.post(f"/api/v1/courses/{COURSE_ID}/blocks/pick/submissions",
                                 json={"answer": {"choice": "a"}}, headers={
                                     "Authorization": "Bearer " + issue_token(
                                         student.id, settings.secret_key, 3600)})
                in_request = len(sent)
                for _ in range(1000):
                    if await Submission.filter(id=r.json()["id"],
                                               status=Status.GRADED).exists():
                        break
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.2)  # the grade's events are published after commit
                counting = False
                sent[:] = [q for q in sent if not q.startswith(POLL)]
                runs.append({"request": in_request, "total": len(sent)})
    finally:
        await app.runtime.stop()
    return {"per_submission": runs, "last": sent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["latency", "storm", "statements"])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=None,
                        help="storm: arrival window (default 300); latency: spread the "
                             "submits evenly over this many seconds (default 0: all at once)")
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
    parser.add_argument("--baseline", action="store_true",
                        help="first measure the no-grading baseline in the same run")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="cwbench-"))
    env = make_env(data_dir)
    if args.mode == "statements":
        print(json.dumps(asyncio.run(statements(env)), indent=1))
        return
    load_start = os.getloadavg()[0]
    tokens = asyncio.run(seed(env, args.students))
    server = ServerProcess(args.server, env).start(timeout=60)
    try:
        if args.mode == "latency":
            result = asyncio.run(latency(server, tokens, args.seconds or 0.0,
                                         env if args.baseline else None))
        else:
            result = asyncio.run(storm(server, tokens, args.seconds or 300.0, env,
                                       args.baseline))
    finally:
        server.stop()
    db = "postgres" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    layer = "redis" if env.get("REDIS_URL") else "in-memory"
    print(json.dumps({"mode": args.mode, "server": args.server, "db": db, "layer": layer,
                      "load_avg_start": load_start, "load_avg": os.getloadavg()[0],
                      **result}, default=str))


if __name__ == "__main__":
    main()
