"""What the exam's requests cost the server in CPU (issue 14): the quiz page, starting an
attempt, one autosave and a hand-in. The exam storm asks for 150 pages and 150 starts a
second in its start window and 300 saves a second after it, at 9,000 students, on what two
cores have left after PostgreSQL, Redis, nginx and the client.

    python bench/save_cost.py [--students 20] [--saves 600] [--profile FILE]

Seeds the exam course of bench/exam_storm.py, then, in this one process (the app behind
httpx's in-process transport: no sockets, no other process), one request at a time:
`--saves` quiz pages round-robin over the students, one start per student (each a new
attempt), `--saves` autosaves round-robin over those attempts, each of those attempts
handed in (the hand-in's CPU includes whatever grading this process's own queue consumer
does meanwhile: without MONGO_URL the app grades in process), the attempt pages' sockets
opening and closing as the proctor page's presence records them (quizzes.presence, in
flushes of PRESENCE_BATCH attempts: `page_open`, `page_close`, per attempt), and `--saves`
`GET /api/v1/me` before and after them all (the baseline: the server's floor for an
authenticated request, and the in-process client's own cost). Reports the process's CPU
milliseconds per request of each kind (`time.process_time`, so waiting on the database does
not count, but the database driver's work does) and each over the baseline. Uses
DATABASE_URL / REDIS_URL if set (service mode), else SQLite + in-memory. `--profile FILE`
writes a cProfile of each kind to FILE.page, FILE.start, FILE.page_open, FILE.save,
FILE.page_close, FILE.hand_in and FILE.baseline (read them with `python -m pstats`); the
timings are then the profiler's too.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.exam_storm import START_URL, UNIT_URL, answer_for, drop_databases, seed
from bench.grading_bench import make_env

# Attempt pages opened or closed per presence flush (quizzes.presence): 150 a second over two
# processes, told every half second.
PRESENCE_BATCH = 40
WARM = 5  # students whose requests warm caches, templates and connections, not timed


async def measure(env: dict[str, str], tokens: list[str], saves: int,
                  profile: Path | None) -> dict[str, object]:
    from app.application import create_app
    from core.settings import load_settings

    app = create_app(load_settings(env))
    await app.runtime.start()
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
            heads = [{"Authorization": f"Bearer {t}"} for t in tokens]
            targets = []

            async def expect(response, status: int, what: str) -> httpx.Response:
                r = await response
                if r.status_code != status:
                    raise SystemExit(f"error: {what} answered {r.status_code}: {r.text[:200]}")
                return r

            async def page(i: int) -> None:
                await expect(c.get(UNIT_URL, headers=heads[i % len(heads)]), 200, "the page")

            async def start(i: int) -> None:  # each student once: a new attempt
                r = await expect(c.post(START_URL, headers=heads[i]), 201, "start")
                attempt = r.json()
                targets.append((heads[i], attempt["id"], attempt["questions"]))

            async def save(i: int) -> None:
                h, attempt_id, questions = targets[i % len(targets)]
                q = questions[i % len(questions)]
                await expect(c.put(f"/api/v1/quiz-attempts/{attempt_id}/answers/{q['id']}",
                                   json={"answer": answer_for(q, i)}, headers=h), 200, "save")

            async def hand_in(i: int) -> None:  # each timed student's attempt, once
                h, attempt_id, _ = targets[i]
                await expect(c.post(f"/api/v1/quiz-attempts/{attempt_id}/submit", headers=h),
                             202, "hand-in")

            from quizzes.presence import pages_changed

            async def pages(i: int, *, opened: bool) -> None:  # one flush of 40 attempts
                keys = {str(t[1]) for t in targets[WARM + i * PRESENCE_BATCH:
                                                   WARM + (i + 1) * PRESENCE_BATCH]}
                await pages_changed("bench", keys if opened else set(),
                                    set() if opened else keys)

            async def me(i: int) -> None:
                await expect(c.get("/api/v1/me", headers=heads[i % len(heads)]), 200,
                             "/api/v1/me")

            for i in range(WARM):
                await page(i)
                await start(i)
                for _ in range(3):
                    await save(i)
                    await me(i)

            async def timed(request, numbers: range, name: str) -> tuple[float, float]:
                profiler = cProfile.Profile() if profile is not None else None
                cpu, wall = time.process_time(), time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                for i in numbers:
                    await request(i)
                if profiler is not None:
                    profiler.disable()
                    profiler.dump_stats(f"{profile}.{name}")
                n = len(numbers)
                return ((time.process_time() - cpu) * 1000 / n,
                        (time.perf_counter() - wall) * 1000 / n)

            students = range(WARM, len(heads))
            base_cpu, base_wall = await timed(me, range(saves), "baseline")
            page_cpu, page_wall = await timed(page, range(saves), "page")
            start_cpu, start_wall = await timed(start, students, "start")
            batches = range(-(-(len(targets) - WARM) // PRESENCE_BATCH))
            flushes = len(batches)
            opened_cpu, _ = await timed(partial(pages, opened=True), batches, "page_open")
            save_cpu, save_wall = await timed(save, range(saves), "save")
            # Before the hand-ins, whose grading (in process when embedded) would count here.
            closed_cpu, _ = await timed(partial(pages, opened=False), batches, "page_close")
            hand_in_cpu, hand_in_wall = await timed(hand_in, range(WARM, len(targets)),
                                                    "hand_in")
            again_cpu, _ = await timed(me, range(saves), "baseline")  # the floor did not drift
    finally:
        await app.runtime.stop()
    floor = (base_cpu + again_cpu) / 2
    return {"saves": saves, "students": len(students),
            "database": env["DATABASE_URL"].split(":", 1)[0],
            "page_cpu_ms": round(page_cpu, 2), "page_wall_ms": round(page_wall, 2),
            "start_cpu_ms": round(start_cpu, 2), "start_wall_ms": round(start_wall, 2),
            "save_cpu_ms": round(save_cpu, 2), "save_wall_ms": round(save_wall, 2),
            "hand_in_cpu_ms": round(hand_in_cpu, 2), "hand_in_wall_ms": round(hand_in_wall, 2),
            # per attempt: its page's socket opened or closed, told in flushes of 40
            "page_open_cpu_ms": round(opened_cpu * flushes / len(students), 2),
            "page_close_cpu_ms": round(closed_cpu * flushes / len(students), 2),
            "baseline_cpu_ms": round(base_cpu, 2), "baseline_cpu_ms_after": round(again_cpu, 2),
            "baseline_wall_ms": round(base_wall, 2),
            "page_over_baseline_cpu_ms": round(page_cpu - floor, 2),
            "start_over_baseline_cpu_ms": round(start_cpu - floor, 2),
            "save_over_baseline_cpu_ms": round(save_cpu - floor, 2),
            "profiled": profile is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--saves", type=int, default=600)
    parser.add_argument("--profile", type=Path, default=None,
                        help="write a cProfile of each kind to FILE.page, FILE.start, ...")
    args = parser.parse_args()
    if args.students < 1 or args.saves < 1:
        parser.error("--students and --saves must be positive")
    if args.profile is not None and args.profile.is_dir():
        parser.error(f"--profile: {args.profile} is a folder")
    data_dir = Path(tempfile.mkdtemp(prefix="cwbench-save-"))
    env = make_env(data_dir)
    try:
        closes_at = datetime.now(UTC) + timedelta(hours=2)
        tokens = asyncio.run(seed(env, WARM + args.students, closes_at, 60.0))
        result = asyncio.run(measure(env, tokens, args.saves, args.profile))
        result["load_average"] = round(os.getloadavg()[0], 2)
        print(json.dumps(result))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        drop_databases(env)


if __name__ == "__main__":
    main()
