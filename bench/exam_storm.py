"""The exam start storm (issue 14): N students sign in, open the quiz page with its socket,
start an attempt within a window (and subscribe the socket to the attempt's topic, as its
page does, which the proctor page counts as open), autosave on a period until the close, and
submit in the last minute (a share leave theirs open for the server's auto-submit at the
deadline).

    python bench/exam_storm.py --students 9000 --start-window 60 --minutes 10 \
        [--save-every 30] [--processes 1|2] [--leave-open 0.1] [--baseline] [--logs DIR]
        [--worker-nice 10]
    python bench/exam_storm.py --statements --students 6

Uses DATABASE_URL / REDIS_URL / MONGO_URL if set (service mode), else SQLite + in-memory.
`--processes 2` puts two uvicorn app processes behind Debian's nginx with the shipped
docs/deploy/nginx.conf (needs PostgreSQL, Redis and a MongoDB-wire server: the embedded
content store belongs to one process). With all three services a `coursewire worker`
grades, at nice 10 as the shipped systemd unit runs it (`--worker-nice`). Prints one JSON
line (Markdown goes into BENCHMARKS.md by hand, with the command).

Measured per request kind (page, socket, start, save, submit): count, errors, p50/p95 ms,
also split by when each request was sent (`phases`: the start window, the steady state, the
last minute before the close, when the hand-ins come).
Lost answers: after the close, every student's final attempt is read from the database and
each question's stored answer is compared with the last save the server acknowledged (200)
for it: a lost answer is one that holds neither that answer nor one of the saves sent after
it whose reply never came (timed out or dropped: the server may have stored one, which
supersedes the acknowledged save). Auto-submit: seconds from the quiz's close until no
attempt is still in progress, and until every attempt is graded.

--baseline: first, the same students on the same schedule make the same number of
requests against a trivial authenticated endpoint of the same server (GET /api/v1/me), so
the ratio says what the quiz paths cost over the server's floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import websockets

from bench.grading_bench import make_env, pct
from bench.grading_bench import seed as seed_course
from bench.lean_http import LeanClient, LeanHTTPError, Reply
from tests.support.servers import ROOT, ServerProcess, free_port

COURSE_ID = "course-v1:Bench+EX1+2026"
UNIT_URL = f"/courses/{COURSE_ID}/units/paper"
START_URL = f"/api/v1/courses/{COURSE_ID}/quizzes/exam/attempts"
KINDS = ("page", "socket", "start", "save", "submit")
STUDENTS_PER_CLIENT = 100  # each client serves this many students ...
CLIENT_CONNECTIONS = 20  # ... over at most this many connections
NGINX_WORKERS = 2  # --processes 2: nginx's worker processes (one per core of this box)


def course_files(closes_at: datetime, minutes: float) -> dict[str, str]:
    limit = int(minutes) + 30  # the close, not the limit, ends every attempt
    return {
        "course.yaml": 'org: Bench\nnumber: EX1\nrun: "2026"\ntitle: Exam bench\n',
        "banks/mixed.yaml": textwrap.dedent("""\
            - {id: n1, tags: [a], title: N1, kind: numeric, prompt: "2+2", answer: {value: 4}}
            - {id: n2, tags: [a], title: N2, kind: numeric, prompt: "3+3", answer: {value: 6}}
            - {id: n3, tags: [a], title: N3, kind: numeric, prompt: "4+4", answer: {value: 8}}
            - {id: t1, tags: [b], title: T1, kind: text, prompt: "Say yes", answers: ["yes"]}
            - {id: t2, tags: [b], title: T2, kind: text, prompt: "Say no", answers: ["no"]}
            """),
        "01-exams/chapter.yaml": "title: Exams\n",
        "01-exams/01-final/sequential.yaml": "title: Final\n",
        "01-exams/01-final/01-paper/unit.yaml": "title: The paper\n",
        "01-exams/01-final/01-paper/01-exam.yaml": textwrap.dedent(f"""\
            type: quiz
            title: Final exam
            time_limit_minutes: {limit}
            closes_at: {closes_at.isoformat().replace("+00:00", "Z")}
            max_attempts: 1
            review: after_close
            draw:
              - {{bank: mixed, tags: [a], count: 2}}
              - {{bank: mixed, tags: [b], count: 1}}
            """),
    }


async def seed(env: dict[str, str], students: int, closes_at: datetime,
               minutes: float) -> list[str]:
    """Migrate, import and publish the exam course, create the students; their tokens."""
    def write_folder(folder: Path) -> Path:
        for rel, text in course_files(closes_at, minutes).items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text)
        return folder

    return list((await seed_course(env, students, write_folder, COURSE_ID)).values())


@dataclass
class Tally:
    ms: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: list[str] = field(default_factory=list)
    acked: dict[int, dict[str, object]] = field(default_factory=dict)  # attempt -> answers
    # Saves sent after a question's last acknowledged one whose answer never came (a timeout,
    # a dropped connection): the server may have stored one of them, which supersedes the
    # acknowledged save rather than losing it. attempt -> question -> answers.
    unacked: dict[int, dict[str, list[object]]] = field(default_factory=dict)
    # When each timed request was sent (time.monotonic(), in the order of `ms`), and the
    # pass's phases: its start window ends at `window_end`, its last minute (the hand-ins)
    # begins at `last_minute`. The summary splits each kind's latencies by phase, so that
    # a queue built in the start window is told apart from the steady state.
    sent: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    window_end: float = 0.0
    last_minute: float = 0.0
    # Each refused request (an error with a reply): its label, when it was sent before the
    # close (seconds), and how long its reply took (ms): whether a 422 came for something
    # sent in time that queued past the close, or for something sent late.
    close: float = 0.0
    refused: list[tuple[str, float, float]] = field(default_factory=list)

    async def timed(self, kind: str, call, ok: tuple[int, ...]) -> Reply | None:
        t, at = time.perf_counter(), time.monotonic()
        try:
            r = await call
        except (LeanHTTPError, OSError) as exc:
            self.errors.append(f"{kind} {type(exc).__name__}")
            return None
        self.record(kind, (time.perf_counter() - t) * 1000, at)
        if r.status_code not in ok:
            self.errors.append(f"{kind} {r.status_code}")
            self.refused.append((f"{kind} {r.status_code}", round(self.close - at, 2),
                                 self.ms[kind][-1]))
            return None
        return r

    def record(self, kind: str, ms: float, sent_at: float) -> None:
        self.ms[kind].append(ms)
        self.sent[kind].append(sent_at)

    def summary(self) -> dict[str, object]:
        out: dict[str, object] = {"errors": len(self.errors),
                                  "error_kinds": dict(Counter(self.errors).most_common(10)),
                                  "refused": self.refused_summary()}
        for kind, values in self.ms.items():
            if values:
                out[kind] = _stats(values)
        out["phases"] = self.phases()
        return out

    def refused_summary(self) -> dict[str, dict[str, float]]:
        """Per label: how many, the least and the median seconds before the close they were
        sent (negative: after it), and their replies' p50 ms."""
        out: dict[str, dict[str, float]] = {}
        for label in sorted({r[0] for r in self.refused}):
            before = [r[1] for r in self.refused if r[0] == label]
            ms = [r[2] for r in self.refused if r[0] == label]
            out[label] = {"n": len(before), "sent_before_close_min_s": min(before),
                          "sent_before_close_p50_s": round(pct(before, 50), 2),
                          "reply_p50_ms": round(pct(ms, 50), 1)}
        return out

    def phases(self) -> dict[str, dict[str, dict[str, float]]]:
        """Each kind's n, p50 and p95 by when it was sent: in the start window, in the
        steady state after it, and in the last minute before the close."""
        out: dict[str, dict[str, dict[str, float]]] = {}
        for kind, values in self.ms.items():
            split: dict[str, list[float]] = {"window": [], "steady": [], "last_minute": []}
            for ms, at in zip(values, self.sent[kind], strict=True):
                phase = ("window" if at < self.window_end
                         else "last_minute" if at >= self.last_minute else "steady")
                split[phase].append(ms)
            out[kind] = {phase: _stats(v) for phase, v in split.items() if v}
        return out


def _stats(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": round(pct(values, 50), 1),
            "p95": round(pct(values, 95), 1)}


def answer_for(question: dict, n: int) -> dict[str, object]:
    return {"value": n} if question["kind"] == "numeric" else {"text": f"answer {n}"}


async def student(c: LeanClient, ws_base: str, token: str, tally: Tally, *,
                  start_at: float, stop_saving_at: float, submit_at: float | None,
                  save_every: float, baseline: bool, sockets: list) -> None:
    h = {"Authorization": f"Bearer {token}"}
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    if await tally.timed("page", c.get("/api/v1/me" if baseline else UNIT_URL, headers=h),
                         (200,)) is None:
        return
    t, at = time.perf_counter(), time.monotonic()
    ws = None
    try:
        ws = await websockets.connect(f"{ws_base}/api/v1/events?token={token}",
                                      open_timeout=120, ping_interval=None)
        await ws.send(json.dumps({"subscribe": ["user:me"]}))
        sockets.append(ws)
        tally.record("socket", (time.perf_counter() - t) * 1000, at)
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        tally.errors.append(f"socket {type(exc).__name__}")
    if baseline:
        start = await tally.timed("start", c.get("/api/v1/me", headers=h), (200,))
        questions: list[dict] = [{"id": "x", "kind": "numeric"}]
        attempt_id = 0
    else:
        start = await tally.timed("start", c.post(START_URL, headers=h), (200, 201))
        if start is None:
            return
        body = start.json()
        questions, attempt_id = body["questions"], body["id"]
        tally.acked[attempt_id] = {}
        if ws is not None:  # as the attempt page does: its topic, so its proctor row says open
            with contextlib.suppress(websockets.WebSocketException):
                await ws.send(json.dumps({"subscribe": [f"quiz-attempt:{attempt_id}"]}))
    n = 0
    # First save a little after the start, then every `save_every` seconds (jittered).
    next_save = time.monotonic() + random.uniform(1, save_every)
    while next_save < stop_saving_at:
        await asyncio.sleep(max(0.0, next_save - time.monotonic()))
        n += 1
        q = questions[n % len(questions)]
        ans = answer_for(q, n)
        if baseline:
            await tally.timed("save", c.get("/api/v1/me", headers=h), (200,))
        else:
            r = await tally.timed("save", c.put(f"/api/v1/quiz-attempts/{attempt_id}/answers/"
                                                f"{q['id']}", json={"answer": ans},
                                                headers=h), (200,))
            pending = tally.unacked.setdefault(attempt_id, {}).setdefault(q["id"], [])
            if r is not None:
                tally.acked[attempt_id][q["id"]] = ans
                pending.clear()
            else:
                pending.append(ans)
        next_save += save_every
    if submit_at is not None:
        await asyncio.sleep(max(0.0, submit_at - time.monotonic()))
        if baseline:
            await tally.timed("submit", c.get("/api/v1/me", headers=h), (200,))
        else:
            await tally.timed("submit", c.post(f"/api/v1/quiz-attempts/{attempt_id}/submit",
                                               headers=h), (202,))


async def run(base: str, tokens: list[str], *, start_window: float, close_in: float,
              save_every: float, leave_open: float, baseline: bool) -> Tally:
    """One pass: starts spread over `start_window` from now; the close is `close_in` s
    away; submits spread over the last 60 s before it (or the last fifth of a short run)."""
    tally = Tally()
    sockets: list = []
    now = time.monotonic()
    close = now + close_in
    submit_window = min(60.0, close_in / 5)
    tally.window_end, tally.last_minute = now + start_window, close - submit_window
    tally.close = close
    ws_base = base.replace("http://", "ws://", 1)
    rng = random.Random(7)
    # Many small clients, not one big one, each with a few keep-alive connections, as
    # browsers behind a campus network would be; and not httpx, which cost this client a
    # whole core at 9,000 students (bench/lean_http.py says why).
    clients = [LeanClient(base, size=CLIENT_CONNECTIONS, timeout=300)
               for _ in range(0, len(tokens), STUDENTS_PER_CLIENT)]
    try:
        jobs = []
        for i, token in enumerate(tokens):
            submits = rng.random() >= leave_open
            submit_at = close - submit_window + rng.uniform(0, submit_window - 2) if submits \
                else None
            jobs.append(student(clients[i // STUDENTS_PER_CLIENT], ws_base, token, tally,
                                start_at=now + i * start_window / len(tokens),
                                stop_saving_at=(submit_at or close) - 1,
                                submit_at=submit_at, save_every=save_every,
                                baseline=baseline, sockets=sockets))
        await asyncio.gather(*jobs)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    print(f"{'baseline' if baseline else 'storm'} pass done; closing {len(sockets)} sockets",
          file=sys.stderr, flush=True)
    # All at once, and without waiting long for each close handshake (the figures are in).
    for ws in sockets:
        ws.close_timeout = 1
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return tally


async def settle(env: dict[str, str], closes_at: datetime, tally: Tally,
                 wait: float = 600.0) -> dict[str, object]:
    """After the close: time until no attempt is open and until all are graded (each waited
    for at most `wait` seconds; both include the grace the server gives answers that
    arrived in time, `grace_s`, before it hands attempts in); lost answers."""
    from tortoise import Tortoise

    from models.db import tortoise_config
    from models.quizzes import AttemptStatus, QuizAnswer, QuizAttempt
    from quizzes.timing import GRACE_SECONDS

    await Tortoise.init(config=tortoise_config(env["DATABASE_URL"]))
    try:
        out: dict[str, object] = {"grace_s": GRACE_SECONDS}
        for what, pending in (("all_submitted_s", [AttemptStatus.IN_PROGRESS]),
                              ("all_graded_s", [AttemptStatus.IN_PROGRESS,
                                                AttemptStatus.SUBMITTED])):
            give_up = time.time() + wait
            while await QuizAttempt.filter(status__in=pending).exists():
                if time.time() > give_up:
                    out[what] = f"more than {wait:g} s after the close"
                    break
                await asyncio.sleep(0.2)
            else:
                out[what] = round(time.time() - closes_at.timestamp(), 1)
        stored: dict[int, dict[str, object]] = {}
        for attempt_id, qid, answer in await QuizAnswer.all().values_list(
                "attempt_id", "question_id", "answer"):
            stored.setdefault(attempt_id, {})[qid] = answer
        # Lost: the stored answer is neither the last acknowledged one nor one sent after it.
        lost = sum(1 for attempt_id, answers in tally.acked.items()
                   for qid, ans in answers.items()
                   if stored.get(attempt_id, {}).get(qid) not in
                   [ans, *tally.unacked.get(attempt_id, {}).get(qid, [])])
        out.update(lost_answers=lost, acked_answers=sum(len(a) for a in tally.acked.values()),
                   attempts=await QuizAttempt.all().count(),
                   by_server=await QuizAttempt.filter(submitted_by_server=True).count())
        return out
    finally:
        await Tortoise.close_connections()


class Deployment:
    """One uvicorn process, or two behind nginx (the shipped config)."""

    def __init__(self, env: dict[str, str], processes: int, worker_nice: int = 10) -> None:
        self.env, self.processes, self.worker_nice = env, processes, worker_nice
        self.servers: list[ServerProcess] = []
        self.nginx: subprocess.Popen[bytes] | None = None
        self.nginx_dir = Path()
        self.worker: subprocess.Popen[bytes] | None = None
        self.base = ""

    def __enter__(self) -> Deployment:
        env = {**self.env, "COURSEWIRE_TRUSTED_PROXIES": "127.0.0.1"}
        try:
            for _ in range(self.processes):
                self.servers.append(ServerProcess("uvicorn", env))
                self.servers[-1].start(timeout=120)
        except RuntimeError:
            self.__exit__()
            raise
        if env.get("REDIS_URL") and env.get("MONGO_URL") and \
                env.get("COURSEWIRE_GRADING_IN_APP") != "1":
            # As deployed with all three services: the web processes queue grading (quiz
            # hand-ins too) and a `coursewire worker` grades.
            log = open(Path(env["COURSEWIRE_DATA_DIR"]) / "worker.log", "wb")
            # At the shipped unit's priority (docs/deploy/coursewire-worker.service, Nice=).
            self.worker = subprocess.Popen(
                ["nice", "-n", str(self.worker_nice), sys.executable, "-m", "app.cli", "worker",
                 "--concurrency", "8"],
                cwd=ROOT, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"}, stdout=log,
                stderr=subprocess.STDOUT)
        if self.processes == 1:
            self.base = self.servers[0].base
            return self
        from tests.service.test_nginx_deploy import NGINX, main_conf, site_conf

        if NGINX is None:
            raise SystemExit("--processes 2 needs nginx (apt-get install nginx)")
        prefix = self.nginx_dir = Path(tempfile.mkdtemp(prefix="cwbench-nginx-"))
        port = free_port()
        site = prefix / "coursewire.conf"
        # Each proxied socket holds two descriptors in nginx (client and upstream), and a
        # process may not raise its limit past the box's hard one (20,000 here): one
        # worker ran out at 9,000 students (500s, then "no live upstreams" 502s). Two
        # workers, one per core, each with the whole limit; `reuseport` spreads the
        # connections between them evenly.
        files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        files = 65536 if files == resource.RLIM_INFINITY else files
        site.write_text(site_conf(port, (self.servers[0].port, self.servers[1].port)).replace(
            f"listen 127.0.0.1:{port};", f"listen 127.0.0.1:{port} reuseport;"))
        conf = prefix / "nginx.conf"
        conf.write_text(main_conf(prefix, site).replace(
            "worker_connections 512;", f"worker_connections {files - 100};").replace(
            "worker_processes 1;", f"worker_processes {NGINX_WORKERS};\n"
                                   f"worker_rlimit_nofile {files};"))
        self.nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-e",
                                       str(prefix / "error.log")])
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("nginx did not start: " + (prefix / "error.log").read_text()[-500:])

    def __exit__(self, *exc: object) -> None:
        if self.worker is not None:
            self.worker.terminate()
            try:  # it finishes the jobs in hand first: a close's backlog can outlast this
                self.worker.wait(30)
            except subprocess.TimeoutExpired:
                print("warning: the grading worker was still finishing jobs 30 s after "
                      "SIGTERM; killed", file=sys.stderr)
                self.worker.kill()
                self.worker.wait()
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(10)
            # Its refusals (502, 504, and any 500 of its own) are explained only here.
            error_log = self.nginx_dir / "error.log"
            if error_log.exists():
                shutil.copyfile(error_log, Path(self.env["COURSEWIRE_DATA_DIR"])
                                / "nginx-error.log")
        for server in self.servers:
            server.stop()


async def statements(env: dict[str, str], tokens: list[str]) -> dict[str, object]:
    """SQL statements and in-process milliseconds per request on the exam paths (page,
    start, resume, save, submit), for each of the first students; nothing else running."""
    import logging

    from app.application import create_app
    from core.settings import load_settings

    sent: list[str] = []
    # Only the request's own statements: a log record is emitted in the task that ran the
    # statement, and background tasks (the grading queue's consumer, the outbox relay, the
    # deadline round) were started before any request, outside this flag.
    counting = contextvars.ContextVar("counting", default=False)

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if counting.get():
                sent.append(record.getMessage()[:80])

    import pymongo.monitoring

    mongo: list[str] = []  # content store commands (motor runs them on threads: all counted)

    class MongoCount(pymongo.monitoring.CommandListener):
        def started(self, event) -> None:
            if event.command_name not in ("hello", "isMaster", "ismaster", "endSessions"):
                mongo.append(event.command_name)

        def succeeded(self, event) -> None: ...

        def failed(self, event) -> None: ...

    pymongo.monitoring.register(MongoCount())  # before the app makes its client
    app = create_app(load_settings(env))
    await app.runtime.start()
    db_log = logging.getLogger("tortoise.db_client")
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(Count())
    per: dict[str, list[tuple[int, float, int]]] = {}
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
            for token in tokens[:5]:
                h = {"Authorization": f"Bearer {token}"}
                attempt: dict = {}

                async def one(kind: str, request) -> httpx.Response:
                    sent.clear()
                    mongo.clear()
                    flag, t = counting.set(True), time.perf_counter()
                    r = await request
                    ms = (time.perf_counter() - t) * 1000
                    counting.reset(flag)
                    assert r.status_code < 400, (kind, r.status_code, r.text[:300])
                    per.setdefault(kind, []).append((len(sent), ms, len(mongo)))
                    return r

                await one("page", c.get(UNIT_URL, headers=h))
                attempt = (await one("start", c.post(START_URL, headers=h))).json()
                await one("resume", c.post(START_URL, headers=h))
                q = attempt["questions"][0]
                await one("save", c.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/"
                                        f"{q['id']}", json={"answer": answer_for(q, 1)},
                                        headers=h))
                await one("submit", c.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit",
                                           headers=h))
                await one("trivial (GET /api/v1/me)", c.get("/api/v1/me", headers=h))
                await asyncio.sleep(1.0)  # the queue grades the hand-in before the next student
    finally:
        await app.runtime.stop()
    # The first student warms caches (published content, templates): report the others.
    return {kind: {"statements": sorted(n for n, _, _ in runs[1:]),
                   "content_store_commands": sorted(m for _, _, m in runs[1:]),
                   "ms_median": round(sorted(ms for _, ms, _ in runs[1:])[len(runs[1:]) // 2],
                                      1)}
            for kind, runs in per.items()}


def keep_logs(data_dir: Path, into: Path | None) -> int:
    """Copy the run's server and worker logs into `into` (if given); the tracebacks they
    hold, counted (a 500's cause is in them)."""
    tracebacks = 0
    for log in sorted(data_dir.glob("*.log")):
        text = log.read_text(errors="replace")
        tracebacks += text.count("Traceback (most recent call last)")
        if into is not None:
            into.mkdir(parents=True, exist_ok=True)
            (into / log.name).write_text(text)
    return tracebacks


def drop_databases(env: dict[str, str]) -> None:
    """The run's own PostgreSQL and MongoDB-wire databases, dropped after it."""
    if env["DATABASE_URL"].startswith("postgres"):
        import asyncpg

        base, name = env["DATABASE_URL"].rsplit("/", 1)

        async def drop() -> None:
            conn = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1)
                                         + "/postgres")
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        asyncio.run(drop())
    if env.get("MONGO_URL"):
        import pymongo

        client = pymongo.MongoClient(env["MONGO_URL"], serverSelectionTimeoutMS=5000)
        client.drop_database(env["MONGO_DB"])
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=9000)
    parser.add_argument("--start-window", type=float, default=60.0)
    parser.add_argument("--minutes", type=float, default=10.0,
                        help="from the end of the start window to the quiz's close")
    parser.add_argument("--save-every", type=float, default=30.0)
    parser.add_argument("--processes", type=int, choices=[1, 2], default=1)
    parser.add_argument("--leave-open", type=float, default=0.1,
                        help="share of students who never submit (the server does)")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--statements", action="store_true",
                        help="instead of the storm: SQL statements and in-process ms per "
                             "request on each exam path (page, start, resume, save, submit)")
    parser.add_argument("--setup-seconds", type=float, default=180.0,
                        help="time allowed for seeding and starting before the storm")
    parser.add_argument("--worker-nice", type=int, default=10, choices=range(0, 20),
                        metavar="0-19",
                        help="the grading worker's nice value (10, as the shipped systemd unit "
                             "runs it; 0 gives it the web processes' priority)")
    parser.add_argument("--logs", type=Path, default=None,
                        help="a folder to copy the servers' and the worker's logs into "
                             "(the run's data directory is deleted after it)")
    parser.add_argument("--wait", type=float, default=600.0,
                        help="after the close, seconds to wait for all handed in, then for "
                             "all graded")
    args = parser.parse_args()
    if args.students < 1 or args.start_window <= 0 or args.minutes <= 0 or \
            args.save_every <= 0 or args.wait <= 0 or not 0 <= args.leave_open <= 1:
        parser.error("counts and durations must be positive; --leave-open is a share 0-1")
    if args.logs is not None and args.logs.exists() and not args.logs.is_dir():
        parser.error(f"--logs: {args.logs} is not a folder")
    services = (os.environ.get("DATABASE_URL", "").startswith("postgres")
                and os.environ.get("REDIS_URL") and os.environ.get("MONGO_URL"))
    if args.processes == 2 and not services:
        parser.error("--processes 2 needs DATABASE_URL (PostgreSQL), REDIS_URL and MONGO_URL "
                     "(the embedded content store belongs to one process)")
    data_dir = Path(tempfile.mkdtemp(prefix="cwbench-exam-"))
    env = make_env(data_dir)
    if os.environ.get("MONGO_URL"):
        env["MONGO_URL"] = os.environ["MONGO_URL"]
        env["MONGO_DB"] = "cw_bench_" + data_dir.name.rsplit("-", 1)[-1]
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # sockets: ours and the servers'
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # The most any one process holds, about one descriptor per student and some: the
    # client (a socket each, and its connections), an nginx worker (two per student, over
    # NGINX_WORKERS), an app process (half of them, and its pools).
    if hard < args.students + 2000:
        print(f"warning: the open-file limit ({hard}) may be too low for {args.students} "
              "students' sockets", file=sys.stderr)
    load_start = os.getloadavg()[0]
    storm_s = args.start_window + args.minutes * 60
    baseline_s = storm_s if args.baseline else 0.0
    closes_at = datetime.now(UTC) + timedelta(seconds=args.setup_seconds + baseline_s
                                              + storm_s)
    tokens = asyncio.run(seed(env, args.students, closes_at, args.minutes))
    result: dict[str, object] = {}
    if args.statements:
        try:
            print(json.dumps(asyncio.run(statements(env, tokens))))
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
            drop_databases(env)
        return
    try:
        with Deployment(env, args.processes, args.worker_nice) as deployment:
            if args.baseline:
                base = asyncio.run(run(deployment.base, tokens, start_window=args.start_window,
                                       close_in=storm_s, save_every=args.save_every,
                                       leave_open=args.leave_open, baseline=True))
                result["baseline"] = base.summary()
            left = (closes_at - datetime.now(UTC)).total_seconds()
            if left > storm_s:  # setup was quick: start the storm on schedule
                time.sleep(left - storm_s)
                left = storm_s
            elif left < storm_s - 1:
                raise SystemExit(f"error: setup took longer than --setup-seconds: the storm "
                                 f"would get {left:.0f} s of its {storm_s:.0f} s; raise "
                                 f"--setup-seconds")
            tally = asyncio.run(run(deployment.base, tokens, start_window=args.start_window,
                                    close_in=left, save_every=args.save_every,
                                    leave_open=args.leave_open, baseline=False))
            result.update(tally.summary())
            result.update(asyncio.run(settle(env, closes_at, tally, args.wait)))
    finally:
        result["logged_tracebacks"] = keep_logs(data_dir, args.logs)
        shutil.rmtree(data_dir, ignore_errors=True)
        drop_databases(env)
    base_summary = result.get("baseline")
    if isinstance(base_summary, dict):
        result["ratio_p95"] = {k: round(result[k]["p95"] / base_summary[k]["p95"], 2)  # type: ignore[index]
                               for k in ("page", "start", "save", "submit")
                               if k in result and k in base_summary}
    db = "postgres" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    print(json.dumps({"students": args.students, "start_window_s": args.start_window,
                      "minutes": args.minutes, "save_every_s": args.save_every,
                      "processes": args.processes, "db": db,
                      "layer": "redis" if env.get("REDIS_URL") else "in-memory",
                      "content": "mongo-wire" if env.get("MONGO_URL") else "embedded",
                      "worker_nice": args.worker_nice if env.get("REDIS_URL")
                      and env.get("MONGO_URL") else None,
                      "load_avg_start": load_start, "load_avg_end": os.getloadavg()[0],
                      **result}, default=str))


if __name__ == "__main__":
    main()
