"""What one autosave costs the server in CPU (issue 14): the exam storm needs 300 saves a
second at 9,000 students, so a core holds the storm's saves only if each costs under 3.3 ms.

    python bench/save_cost.py [--students 20] [--saves 600] [--profile FILE]

Seeds the exam course of bench/exam_storm.py, starts an attempt for each student, then, in
this one process (the app behind httpx's in-process transport: no sockets, no other
process), sends `--saves` autosaves round-robin over the students, one at a time, and as
many `GET /api/v1/me` (the baseline: the server's floor for an authenticated request, and
the in-process client's own cost). Reports the process's CPU milliseconds per request of
each kind (`time.process_time`, so waiting on the database does not count, but the
database driver's work does) and the difference. Uses DATABASE_URL / REDIS_URL if set
(service mode), else SQLite + in-memory. `--profile FILE` writes a cProfile of the saves
(read it with `python -m pstats FILE`). Prints one JSON line.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.exam_storm import START_URL, answer_for, drop_databases, seed
from bench.grading_bench import make_env


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
            for h in heads:
                r = await c.post(START_URL, headers=h)
                if r.status_code != 201:
                    raise SystemExit(f"error: start answered {r.status_code}: {r.text[:200]}")
                attempt = r.json()
                targets.append((h, attempt["id"], attempt["questions"]))

            async def save(i: int) -> None:
                h, attempt_id, questions = targets[i % len(targets)]
                q = questions[i % len(questions)]
                r = await c.put(f"/api/v1/quiz-attempts/{attempt_id}/answers/{q['id']}",
                                json={"answer": answer_for(q, i)}, headers=h)
                if r.status_code != 200:
                    raise SystemExit(f"error: save answered {r.status_code}: {r.text[:200]}")

            async def me(i: int) -> None:
                r = await c.get("/api/v1/me", headers=heads[i % len(heads)])
                if r.status_code != 200:
                    raise SystemExit(f"error: /api/v1/me answered {r.status_code}")

            for i in range(len(targets) * 3):  # warm caches, templates, connections
                await save(i)
                await me(i)

            async def timed(request, n: int, profiler: cProfile.Profile | None = None
                            ) -> tuple[float, float]:
                cpu, wall = time.process_time(), time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                for i in range(n):
                    await request(i)
                if profiler is not None:
                    profiler.disable()
                return ((time.process_time() - cpu) * 1000 / n,
                        (time.perf_counter() - wall) * 1000 / n)

            base_cpu, base_wall = await timed(me, saves)
            save_cpu, save_wall = await timed(save, saves)
            again_cpu, _ = await timed(me, saves)  # the floor did not drift over the run
            if profile is not None:
                profiler = cProfile.Profile()
                await timed(save, saves, profiler)
                profiler.dump_stats(profile)
    finally:
        await app.runtime.stop()
    return {"saves": saves, "students": len(tokens),
            "database": env["DATABASE_URL"].split(":", 1)[0],
            "save_cpu_ms": round(save_cpu, 2), "save_wall_ms": round(save_wall, 2),
            "baseline_cpu_ms": round(base_cpu, 2), "baseline_cpu_ms_after": round(again_cpu, 2),
            "baseline_wall_ms": round(base_wall, 2),
            "save_over_baseline_cpu_ms": round(save_cpu - (base_cpu + again_cpu) / 2, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--saves", type=int, default=600)
    parser.add_argument("--profile", type=Path, default=None,
                        help="write a cProfile of the saves to this file")
    args = parser.parse_args()
    if args.students < 1 or args.saves < 1:
        parser.error("--students and --saves must be positive")
    if args.profile is not None and args.profile.is_dir():
        parser.error(f"--profile: {args.profile} is a folder")
    data_dir = Path(tempfile.mkdtemp(prefix="cwbench-save-"))
    env = make_env(data_dir)
    try:
        closes_at = datetime.now(UTC) + timedelta(hours=2)
        tokens = asyncio.run(seed(env, args.students, closes_at, 60.0))
        result = asyncio.run(measure(env, tokens, args.saves, args.profile))
        result["load_average"] = round(os.getloadavg()[0], 2)
        print(json.dumps(result))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        drop_databases(env)


if __name__ == "__main__":
    main()
