"""Forum fan-out figures: one reply to 1,000 and 5,000 viewers of a thread (two audiences,
student and staff, rendered once each) beside the bare-websockets baseline in the same run;
then the sustained test: 100 threads x 50 viewers, increasing post rate, p99 latency.

    python bench/forum_bench.py [--sizes 1000 5000] [--rounds 5] [--procs 2] [--service]
                                [--rates 2 5 10 20 40] [--step-seconds 8] [--skip-sustained]

Setup as bench/fanout_announcement.py (fresh database per run, a fresh server per
measurement, uvicorn), seeded with the demo people by `python -m tests.forum.seed`. The server
runs with the per-user posting limit lifted (the benchmark posts far faster than a person);
everything else is `coursewire serve` unchanged. Viewers are page sockets
`/ws?topics=thread:<id>`: even-numbered ones a student's session, odd ones a TA's, so every
post is rendered for both audiences. A reply (anonymous to peers) is posted over the API by
another student; a viewer counts it when the fragment carrying the reply arrives.

Sustained: 5,000 sockets, 50 per thread on 100 threads. For each rate R (posts/s, spread
over random threads) posts are sent for --step-seconds; latency of a delivery = fragment
received - post request started. Reported per step: deliveries/s, p50/p99/max, missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from fanout_announcement import (  # noqa: E402
    HOST,
    Server,
    Setup,
    bearer,
    machine,
    serve_stamped,
    session_cookie,
)
from fanout_clients import (  # noqa: E402
    FanoutConfig,
    FanoutResult,
    format_result,
    percentile,
    raise_nofile_limit,
    run_fanout,
    summary,
    text_contains,
)
from run_bare_baseline import measure as measure_bare  # noqa: E402

COURSE = "course-v1:Coursewire+PY101+2026"
STUDENT, TA, POSTER = ("ada@demo.coursewire", "ta@demo.coursewire",
                       "linus@demo.coursewire")
INSTRUCTOR = "instructor@demo.coursewire"
MARKER = "forum-bench-reply"


class ForumSetup(Setup):
    def create(self) -> None:
        super_env = self.workdir
        del super_env
        import uuid

        data_dir = self.workdir / "data"
        self.env = {"COURSEWIRE_DATA_DIR": str(data_dir), "SECRET_KEY": uuid.uuid4().hex,
                    "COURSEWIRE_HEARTBEAT_SECONDS": "600",
                    "DATABASE_URL": f"sqlite://{self.workdir / 'bench.sqlite3'}"}
        if self.service:
            from fanout_announcement import PG_BASE, REDIS_URL, _pg

            self.pg_db = "cw_fbench_" + uuid.uuid4().hex[:10]
            asyncio.run(_pg(f'CREATE DATABASE "{self.pg_db}"'))
            self.env["DATABASE_URL"] = PG_BASE.rsplit("/", 1)[0] + "/" + self.pg_db
            self.env["REDIS_URL"] = REDIS_URL
            self.env["COURSEWIRE_REDIS_PREFIX"] = "cwfbench:" + uuid.uuid4().hex[:8]
        subprocess.run([sys.executable, "-m", "tests.forum.seed"], cwd=ROOT, check=True,
                       env={**os.environ, **self.env}, capture_output=True, timeout=180)


class ForumServer(Server):
    def start(self, timeout: float = 30.0) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "_serve", str(self.stamps),
               "serve", "--server", self.kind, "--host", HOST, "--port", str(self.port)]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         env={**os.environ, **self.setup.env})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text()[-2000:])
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")


def serve_unlimited(stamp_file: str, cli_args: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    import forum.posting

    forum.posting.POSTS_PER_MINUTE = 10**9
    return serve_stamped(stamp_file, cli_args)


def make_threads(base: str, token: str, n: int) -> list[int]:
    ids = []
    with httpx.Client(timeout=10) as c:
        for i in range(n):
            r = c.post(f"{base}/api/v1/courses/{COURSE}/forum/threads",
                       headers={"Authorization": f"Bearer {token}"},
                       json={"title": f"Bench thread {i}", "body": f"thread {i}"})
            r.raise_for_status()
            ids.append(r.json()["id"])
    return ids


class ReplyTrigger:
    def __init__(self, base: str, thread_id: int, token: str) -> None:
        self.url = f"{base}/api/v1/forum/threads/{thread_id}/posts"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.client: httpx.AsyncClient | None = None
        self.count = 0

    async def __call__(self) -> dict[str, Any]:
        self.client = self.client or httpx.AsyncClient(timeout=10)
        self.count += 1
        started = time.monotonic_ns()
        r = await self.client.post(self.url, headers=self.headers, json={
            "body": f"{MARKER} {self.count}", "anonymity": "peers"})
        r.raise_for_status()
        return {"id": r.json()["id"], "started_ns": started,
                "http_ms": (time.monotonic_ns() - started) / 1e6}

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()


async def _await_resync(ws: Any, _index: int) -> None:
    await asyncio.wait_for(ws.recv(), 20)


def measure_fanout(setup: ForumSetup, sockets: int, procs: int, rounds: int,
                   kind: str = "uvicorn") -> FanoutResult:
    server = ForumServer(kind, setup)
    server.start()
    try:
        teacher = bearer(server.base, INSTRUCTOR)
        [thread_id] = make_threads(server.base, teacher, 1)
        cookies = [session_cookie(server.base, STUDENT), session_cookie(server.base, TA)]
        config = FanoutConfig(
            url=f"ws://{HOST}:{server.port}/ws?topics={quote(f'thread:{thread_id}', safe='')}",
            sockets=sockets, procs=procs, rounds=rounds,
            headers=lambda i: {"Cookie": cookies[i % 2], "Origin": server.base},
            on_open=_await_resync,
            predicate=text_contains(MARKER),
            server_pid=server.proc.pid if server.proc else None)
        return run_fanout(config, ReplyTrigger(server.base, thread_id,
                                               bearer(server.base, POSTER)))
    finally:
        server.stop()


# ---- sustained ----------------------------------------------------------------------------------

_SEEN = re.compile(r"forum-bench-sus-(\d+)-x")


def origin_of(ws_url: str) -> str:
    """The http origin a browser page opening `ws_url` would send (cookie sockets need it)."""
    return "http" + ws_url.removeprefix("ws").split("/ws", 1)[0]


async def _viewer_proc(url_for: list[str], cookie: list[str], conn: Any) -> None:
    import websockets

    records: list[tuple[int, int]] = []
    sockets = []
    sem = asyncio.Semaphore(100)

    async def open_one(i: int) -> Any:
        async with sem:
            headers = {"Cookie": cookie[i % 2], "Origin": origin_of(url_for[i])}
            ws = await websockets.connect(url_for[i], additional_headers=headers,
                                          ping_interval=None, max_queue=None,
                                          compression=None, open_timeout=30)
            await asyncio.wait_for(ws.recv(), 30)  # resync fragment
            return ws

    sockets = await asyncio.gather(*(open_one(i) for i in range(len(url_for))))

    async def read(ws: Any) -> None:
        with contextlib.suppress(Exception):
            async for frame in ws:
                now = time.monotonic_ns()
                m = _SEEN.search(frame) if isinstance(frame, str) else None
                if m:
                    records.append((int(m.group(1)), now))

    tasks = [asyncio.create_task(read(ws)) for ws in sockets]
    conn.send(("ready", len(sockets)))
    await asyncio.to_thread(conn.recv)  # "stop"
    for ws in sockets:
        with contextlib.suppress(Exception):
            await ws.close()
    for t in tasks:
        t.cancel()
    conn.send(("records", records))


def _viewer_entry(urls: list[str], cookies: list[str], conn: Any) -> None:
    raise_nofile_limit()
    asyncio.run(_viewer_proc(urls, cookies, conn))


@dataclass
class Step:
    rate: float
    posts: int
    expected: int
    received: int
    p50: float
    p99: float
    worst: float
    delivery_rate: float


async def _post_at_rate(base: str, token: str, threads: list[int], rate: float,
                        seconds: float, first: int, sent: dict[int, int]) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64)) as c:
        tasks = []
        n = int(rate * seconds)
        start = time.monotonic()
        for i in range(n):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            k = first + i

            async def one(k: int = k) -> None:
                sent[k] = time.monotonic_ns()
                r = await c.post(f"{base}/api/v1/forum/threads/{random.choice(threads)}/posts",
                                 headers=headers, json={"body": f"forum-bench-sus-{k}-x",
                                                        "anonymity": "peers"})
                r.raise_for_status()

            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        return n


def measure_sustained(setup: ForumSetup, threads_n: int, viewers: int, rates: list[float],
                      step_seconds: float, procs: int) -> list[Step]:
    server = ForumServer("uvicorn", setup)
    server.start()
    try:
        teacher = bearer(server.base, INSTRUCTOR)
        threads = make_threads(server.base, teacher, threads_n)
        cookies = [session_cookie(server.base, STUDENT), session_cookie(server.base, TA)]
        urls = [f"ws://{HOST}:{server.port}/ws?topics="
                + quote(f"thread:{threads[i % threads_n]}", safe="")
                for i in range(threads_n * viewers)]
        ctx = multiprocessing.get_context("spawn")
        workers = []
        for p in range(procs):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_viewer_entry, args=(urls[p::procs], cookies, child))
            proc.start()
            workers.append((proc, parent))
        for _proc, conn in workers:
            if not conn.poll(300):
                raise RuntimeError("viewers did not connect")
            conn.recv()
        time.sleep(1)
        per_thread = {t: 0 for t in threads}
        del per_thread
        token = bearer(server.base, POSTER)
        sent: dict[int, int] = {}
        bounds: list[tuple[float, int, int]] = []
        k = 0
        for rate in rates:
            n = asyncio.run(_post_at_rate(server.base, token, threads, rate, step_seconds, k,
                                          sent))
            bounds.append((rate, k, k + n))
            k += n
            time.sleep(2)  # drain before the next step
        records: list[tuple[int, int]] = []
        for proc, conn in workers:
            conn.send("stop")
            if conn.poll(120):
                records.extend(conn.recv()[1])
            proc.join(30)
        steps = []
        for rate, lo, hi in bounds:
            lat = sorted((t - sent[key]) / 1e6 for key, t in records if lo <= key < hi)
            expected = (hi - lo) * viewers
            steps.append(Step(rate, hi - lo, expected, len(lat),
                              statistics.median(lat) if lat else float("nan"),
                              percentile(lat, 99), lat[-1] if lat else float("nan"),
                              len(lat) / step_seconds))
        return steps
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_serve"]:
        return serve_unlimited(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--service", action="store_true")
    parser.add_argument("--rates", type=float, nargs="+", default=[2, 5, 10, 20, 40])
    parser.add_argument("--step-seconds", type=float, default=8)
    parser.add_argument("--threads", type=int, default=100)
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--skip-sustained", action="store_true")
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--servers", nargs="+", choices=["uvicorn", "daphne"],
                        default=["uvicorn"], help="fan-out on each (sustained: the first)")
    args = parser.parse_args(argv)
    raise_nofile_limit()
    stores = "PostgreSQL + Redis" if args.service else "SQLite + in-memory channel layer"
    print(f"machine at start: {machine()}; {stores}; {', '.join(args.servers)}",
          file=sys.stderr)
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cw-forum-bench-") as tmp:
        setup = ForumSetup(args.service, Path(tmp))
        setup.create()
        try:
            if not args.skip_fanout:
                out += ["| viewers | server | trigger->last ms (median round) | p50 ms | p99 ms "
                        "| ratio to bare | missing |", "|---:|---|---:|---:|---:|---:|---:|"]
                for size in args.sizes:
                    bare = measure_bare(size, args.procs, args.rounds, True, "broadcast")
                    print(f"## {size} bare\n{format_result(bare)}", file=sys.stderr)
                    b = summary(bare)
                    out.append(f"| {size} | bare websockets (uvloop) | {b['completion_ms']:.1f} "
                               f"| {b['p50_ms']:.1f} | {b['p99_ms']:.1f} | 1.00 | "
                               f"{b['missing']} |")
                    for kind in args.servers:
                        ours = measure_fanout(setup, size, args.procs, args.rounds, kind)
                        print(f"## {size} forum {kind} (load {os.getloadavg()[0]:.2f})\n"
                              f"{format_result(ours)}", file=sys.stderr)
                        s = summary(ours)
                        out.append(f"| {size} | Coursewire forum reply, /ws, 2 audiences, "
                                   f"{kind} | {s['completion_ms']:.1f} | {s['p50_ms']:.1f} | "
                                   f"{s['p99_ms']:.1f} | "
                                   f"{s['completion_ms'] / b['completion_ms']:.2f} | "
                                   f"{s['missing']} |")
            if not args.skip_sustained:
                steps = measure_sustained(setup, args.threads, args.viewers, args.rates,
                                          args.step_seconds, args.procs)
                out += ["", f"Sustained: {args.threads} threads x {args.viewers} viewers, "
                        f"{args.step_seconds:g} s per step", "",
                        "| posts/s | deliveries/s | received/expected | p50 ms | p99 ms | max ms |",
                        "|---:|---:|---:|---:|---:|---:|"]
                for st in steps:
                    out.append(f"| {st.rate:g} | {st.delivery_rate:.0f} | {st.received}/"
                               f"{st.expected} | {st.p50:.1f} | {st.p99:.1f} | {st.worst:.1f} |")
                ok = [st for st in steps if st.p99 < 200 and st.received == st.expected]
                best = max(ok, key=lambda st: st.delivery_rate) if ok else None
                out.append("")
                out.append("Highest delivery rate with p99 < 200 ms and nothing missing: "
                           + (f"{best.delivery_rate:.0f} deliveries/s ({best.rate:g} posts/s)"
                              if best else "none of the steps"))
        finally:
            setup.drop()
    print(f"machine at end: {machine()}")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
