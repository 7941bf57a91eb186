"""One course announcement fanned out to N authenticated sockets, beside the bare baseline.

    python bench/fanout_announcement.py [--sizes 1000 5000] [--servers uvicorn daphne]
                                        [--rounds 5] [--procs 2] [--page] [--service]

For each size, in this order and in the same run: the bare `websockets` broadcast server
(bench/bare_ws_server.py, uvloop, the baseline), then Coursewire under each `--servers`. Every
measurement starts a fresh server process, so RSS per socket is measured from an idle server.

Coursewire setup (self-contained): a temp data dir and a fresh database (embedded SQLite; with
`--service` a new PostgreSQL database made from postgres://postgres@127.0.0.1:5432/test, plus
Redis with a unique COURSEWIRE_REDIS_PREFIX), seeded by `python -m app.cli demo --seed-only`.
All N sockets of `/api/v1/events?token=...` share ONE student's bearer token (ada); each sends
`{"subscribe": ["course:<id>"]}` and waits for `"subscribed"`. With `--page`, the HTML page
socket `/ws?topics=course:<id>` is measured too (session cookie of the same student, each
socket waits for the resync fragment it gets on open).

Trigger: POST /api/v1/courses/<id>/announcements with the instructor's token. The headline
figure, "trigger -> last", includes that HTTP request, the announcement and event-log inserts
and the channel layer. To also report "hub -> last" (event reaching the hub -> last socket
received), the server runs `app.cli serve` in a wrapper process (`_serve`, below) that stamps
`Hub.deliver` with CLOCK_MONOTONIC, the clock the load clients stamp with (system-wide on Linux,
see bench/fanout_clients.py); it is the same server process `coursewire serve` would run.

Heartbeats are set to 600 s so no heartbeat burst lands inside a round.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from fanout_clients import (  # noqa: E402
    FanoutConfig,
    FanoutResult,
    format_result,
    raise_nofile_limit,
    run_fanout,
    send_and_await,
    summary,
    text_contains,
)
from run_bare_baseline import free_port, server_send_ms  # noqa: E402
from run_bare_baseline import measure as measure_bare  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "coursewire-demo"
STUDENT = "ada@demo.coursewire"
INSTRUCTOR = "instructor@demo.coursewire"
PG_BASE = "postgres://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
MARKER = "fanout-bench-announcement"


# ---- the stamped server process ---------------------------------------------------------------

def serve_stamped(stamp_file: str, cli_args: list[str]) -> int:
    """Run `app.cli` in this process with Hub.deliver stamped (start, end) into `stamp_file`."""
    sys.path.insert(0, str(ROOT))
    from app.cli import main
    from realtime.hub import Hub

    original = Hub.deliver
    out = open(stamp_file, "a", buffering=1)  # open while the server runs

    def deliver(self: Hub, message: dict[str, Any]) -> None:
        started = time.monotonic_ns()
        original(self, message)
        out.write(f"{started} {time.monotonic_ns()} {message.get('topic')} {message.get('seq')}\n")

    Hub.deliver = deliver  # type: ignore[method-assign]
    return main(cli_args)


# ---- setup: database, seed, server ------------------------------------------------------------

@dataclass
class Setup:
    service: bool
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    seeded: dict[str, Any] = field(default_factory=dict)
    pg_db: str | None = None

    def create(self) -> None:
        data_dir = self.workdir / "data"
        self.env = {
            "COURSEWIRE_DATA_DIR": str(data_dir),
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "COURSEWIRE_HEARTBEAT_SECONDS": "600",
            "DATABASE_URL": f"sqlite://{self.workdir / 'bench.sqlite3'}",
        }
        if self.service:
            self.pg_db = "cw_bench_" + uuid.uuid4().hex[:10]
            asyncio.run(_pg(f'CREATE DATABASE "{self.pg_db}"'))
            self.env["DATABASE_URL"] = PG_BASE.rsplit("/", 1)[0] + "/" + self.pg_db
            self.env["REDIS_URL"] = REDIS_URL
            self.env["COURSEWIRE_REDIS_PREFIX"] = "cwbench:" + uuid.uuid4().hex[:8]
        out = subprocess.run([sys.executable, "-m", "app.cli", "demo", "--seed-only"], cwd=ROOT,
                             env={**os.environ, **self.env}, capture_output=True, text=True,
                             timeout=180, check=True)
        self.seeded = json.loads(out.stdout.strip().splitlines()[-1])

    def drop(self) -> None:
        if self.pg_db:
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{self.pg_db}" WITH (FORCE)'))


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_BASE.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class Server:
    def __init__(self, kind: str, setup: Setup) -> None:
        self.kind, self.setup, self.port = kind, setup, free_port()
        self.stamps = setup.workdir / f"stamps-{kind}-{self.port}.txt"
        self.log = setup.workdir / f"server-{kind}-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "_serve", str(self.stamps),
               "serve", "--server", self.kind, "--host", HOST, "--port", str(self.port)]
        if os.environ.get("CW_BENCH_VERBOSE"):  # server logs every request, in workdir
            cmd.append("-v")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         env={**os.environ, **self.setup.env})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    self.check_pid()
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.kind} did not start: {self.log.read_text()[-2000:]}")

    def check_pid(self) -> None:
        """The Popen pid must be the process serving the port (its RSS is what we read)."""
        assert self.proc is not None
        inodes = set()
        for fd in os.listdir(f"/proc/{self.proc.pid}/fd"):
            with contextlib.suppress(OSError):  # fds come and go while we look
                inodes.add(os.readlink(f"/proc/{self.proc.pid}/fd/{fd}"))
        with open("/proc/net/tcp") as tcp:
            listening = [line.split() for line in tcp if line.split()[3:4] == ["0A"]]
        ours = [row for row in listening if int(row[1].split(":")[1], 16) == self.port]
        if not ours or f"socket:[{ours[0][9]}]" not in inodes:
            raise RuntimeError(f"pid {self.proc.pid} does not own the listening socket")

    def deliveries(self) -> list[tuple[int, int, str, int]]:
        if not self.stamps.exists():
            return []
        rows = [line.split() for line in self.stamps.read_text().splitlines()]
        return [(int(a), int(b), t, int(s)) for a, b, t, s in rows]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def bearer(base: str, email: str) -> str:
    r = httpx.post(base + "/api/v1/auth/token", json={"email": email, "password": PASSWORD},
                   timeout=10)
    r.raise_for_status()
    return r.json()["access_token"]


def session_cookie(base: str, email: str) -> str:
    """Log in through the /login form like a browser; returns the Cookie header value."""
    with httpx.Client(base_url=base, timeout=10) as c:
        page = c.get("/login")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert csrf, "no csrf token on /login"
        r = c.post("/login", data={"email": email, "password": PASSWORD,
                                   "csrf_token": csrf.group(1)})
        assert r.status_code == 303, r.text
        return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


class AnnouncementTrigger:
    """POST one announcement as the instructor; notes when it was called and answered."""

    def __init__(self, base: str, course_id: str, token: str) -> None:
        self.url = f"{base}/api/v1/courses/{course_id}/announcements"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.client: httpx.AsyncClient | None = None
        self.count = 0

    async def __call__(self) -> dict[str, Any]:
        if self.client is None:
            self.client = httpx.AsyncClient(timeout=10)
        self.count += 1
        started = time.monotonic_ns()
        r = await self.client.post(self.url, headers=self.headers, json={
            "title": f"{MARKER} {self.count}", "body": "All sockets, please."})
        answered = time.monotonic_ns()
        r.raise_for_status()
        return {"id": r.json()["id"], "started_ns": started, "answered_ns": answered}

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None


def warm_up(base: str, course_id: str, token: str) -> None:
    """First requests start the runtime (daphne) and compile templates: keep them out of RSS."""
    r = httpx.post(f"{base}/api/v1/courses/{course_id}/announcements",
                   headers={"Authorization": f"Bearer {token}"},
                   json={"title": "warm-up", "body": "warm-up"}, timeout=10)
    r.raise_for_status()


# ---- one measurement --------------------------------------------------------------------------

@dataclass
class Row:
    label: str
    sockets: int
    result: FanoutResult
    hub_ms: list[float] = field(default_factory=list)  # hub -> last socket, per round
    hub_loop_ms: list[float] = field(default_factory=list)  # time inside Hub.deliver
    http_ms: list[float] = field(default_factory=list)  # trigger's HTTP round trip
    first_ms: list[float] = field(default_factory=list)  # trigger -> first socket


def measure_coursewire(kind: str, socket_kind: str, setup: Setup, sockets: int, procs: int,
                       rounds: int) -> Row:
    server = Server(kind, setup)
    server.start()
    course_id = setup.seeded["course_id"]
    topic = f"course:{course_id}"
    try:
        instructor = bearer(server.base, INSTRUCTOR)
        warm_up(server.base, course_id, instructor)
        if socket_kind == "json":
            token = bearer(server.base, STUDENT)
            url = f"ws://{HOST}:{server.port}/api/v1/events?token={token}"
            headers: dict[str, str] | None = None
            on_open = send_and_await(json.dumps({"subscribe": [topic]}),
                                     text_contains('"subscribed"'))
            predicate = text_contains('"announcement.created"')
        else:
            url = f"ws://{HOST}:{server.port}/ws?topics={quote(topic, safe=':')}"  # ids hold '+'
            # Cookie-authenticated sockets must come from our own origin, as a browser's do.
            headers = {"Cookie": session_cookie(server.base, STUDENT), "Origin": server.base}
            on_open = _await_any_frame
            predicate = text_contains(MARKER)
        config = FanoutConfig(url=url, sockets=sockets, procs=procs, rounds=rounds,
                              headers=headers, on_open=on_open, predicate=predicate,
                              server_pid=server.proc.pid if server.proc else None)
        trigger = AnnouncementTrigger(server.base, course_id, instructor)
        result = run_fanout(config, trigger)
        time.sleep(0.5)
        row = Row(f"{kind} {'/api/v1/events' if socket_kind == 'json' else '/ws'}", sockets,
                  result)
        # one delivery per round, in order (the warm-up reached no hub: nobody had subscribed)
        ours = [d for d in server.deliveries() if d[2] == topic][-len(result.rounds):]
        for r, (hub_start, hub_end, _topic, _seq) in zip(result.rounds, ours, strict=False):
            reply = r.trigger_reply
            last_abs = reply["started_ns"] + r.completion_ms * 1e6
            row.hub_ms.append((last_abs - hub_start) / 1e6)
            row.hub_loop_ms.append((hub_end - hub_start) / 1e6)
            row.http_ms.append((reply["answered_ns"] - reply["started_ns"]) / 1e6)
        return row
    finally:
        server.stop()


async def _await_any_frame(ws: Any, _index: int) -> None:
    await asyncio.wait_for(ws.recv(), 20)  # the page socket's resync fragment on open


# ---- report -----------------------------------------------------------------------------------

def _med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _best(result: FanoutResult) -> float:
    return min((r.completion_ms for r in result.rounds), default=float("nan"))


def table(rows: list[Row], baselines: dict[int, FanoutResult]) -> str:
    out = [
        "| sockets | server | trigger->last ms | best ms | p50 ms | p99 ms | ratio to bare | "
        "hub->last ms | ratio to bare | hub loop ms | HTTP ms | RSS/socket KB | missing |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, base in baselines.items():
        b = summary(base)
        rss = b["rss_per_socket_kb"]
        out.append(
            f"| {size} | bare websockets (uvloop) | {b['completion_ms']:.1f} | {_best(base):.1f} "
            f"| {b['p50_ms']:.1f} "
            f"| {b['p99_ms']:.1f} | 1.00 | {b['completion_ms']:.1f} | 1.00 | "
            f"{server_send_ms(base):.1f} | - | {rss:.1f} | {b['missing']} |")
        for row in (r for r in rows if r.sockets == size):
            s = summary(row.result)
            rss = s["rss_per_socket_kb"]
            hub = _med(row.hub_ms)
            out.append(
                f"| {size} | {row.label} | {s['completion_ms']:.1f} | {_best(row.result):.1f} | "
                f"{s['p50_ms']:.1f} | "
                f"{s['p99_ms']:.1f} | {s['completion_ms'] / b['completion_ms']:.2f} | "
                f"{hub:.1f} | {hub / b['completion_ms']:.2f} | {_med(row.hub_loop_ms):.1f} | "
                f"{_med(row.http_ms):.1f} | {'-' if rss is None else f'{rss:.1f}'} | "
                f"{s['missing']} |")
    return "\n".join(out)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "?")
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo")
                  if line.startswith("MemTotal"))
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB RAM, "
            f"load average {load}, Python {sys.version.split()[0]}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_serve"]:
        return serve_stamped(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--servers", nargs="+", choices=["uvicorn", "daphne"],
                        default=["uvicorn", "daphne"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--procs", type=int, default=2, help="load-client processes")
    parser.add_argument("--page", action="store_true", help="also the HTML socket /ws")
    parser.add_argument("--service", action="store_true",
                        help="PostgreSQL + Redis instead of embedded SQLite + in-memory layer")
    args = parser.parse_args(argv)
    raise_nofile_limit()  # inherited by every server subprocess started below
    print(f"machine at start: {machine()}", file=sys.stderr)
    kinds = ["json", "html"] if args.page else ["json"]
    rows: list[Row] = []
    baselines: dict[int, FanoutResult] = {}
    with tempfile.TemporaryDirectory(prefix="cw-fanout-") as tmp:
        setup = Setup(args.service, Path(tmp))
        setup.create()
        try:
            for size in args.sizes:
                baselines[size] = measure_bare(size, args.procs, args.rounds, True, "broadcast")
                print(f"## {size} bare\n{format_result(baselines[size])}\n", file=sys.stderr)
                for kind in args.servers:
                    for socket_kind in kinds:
                        row = measure_coursewire(kind, socket_kind, setup, size, args.procs,
                                                 args.rounds)
                        print(f"## {size} {row.label}\n{format_result(row.result)}\n"
                              f"hub->last {row.hub_ms}\nhub loop {row.hub_loop_ms}\n"
                              f"http {row.http_ms}\n", file=sys.stderr)
                        rows.append(row)
        finally:
            setup.drop()
    stores = "PostgreSQL + Redis" if args.service else "SQLite + in-memory channel layer"
    print(f"announcement fan-out, {stores}, {args.procs} client procs, median of "
          f"{args.rounds} rounds; machine at end: {machine()}\n")
    print(table(rows, baselines))
    complete = all(r.result.sockets_connected == r.result.sockets_requested for r in rows)
    return 0 if complete and all(summary(r.result)["missing"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
