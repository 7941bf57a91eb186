"""The close of an exam (issue 14's auto-submit target): N students' attempts are open, each
with its answers saved, when the quiz closes; nobody hands in, so the server's deadline
rounds must. Measured: seconds from the close until no attempt is in progress (all handed
in) and until every attempt is graded, and whether every saved answer is in its attempt.
Both times include the grace the server waits after a deadline before it hands attempts in
(quizzes.timing.GRACE_SECONDS, 15 s: answers that arrived in time may still be saving);
the output gives it as `grace_s`. Figures from before that grace (BENCHMARKS.md, before
2026-12-07's commit 637eab2) have none.

    python bench/exam_close.py --students 9000 [--processes 1|2]

Uses DATABASE_URL / REDIS_URL / MONGO_URL if set (service mode), else SQLite + in-memory;
`--processes 2` puts two uvicorn app processes behind nginx, as bench/exam_storm.py does
(it needs all three services). One attempt is started and answered through the API; the
other N-1 are copies of it written straight to the database (same paper, same answers), so
the figure is the close alone, not the storm before it. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
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

from bench.exam_storm import (
    COURSE_ID,
    START_URL,
    Deployment,
    answer_for,
    course_files,
    drop_databases,
    settle,
)
from bench.exam_storm import Tally as StormTally
from bench.grading_bench import make_env
from bench.grading_bench import seed as seed_course


async def seed(env: dict[str, str], students: int, closes_at: datetime) -> dict[int, str]:
    def write_folder(folder: Path) -> Path:
        for rel, text in course_files(closes_at, 10).items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text)
        return folder

    return await seed_course(env, students, write_folder, COURSE_ID)


async def first_attempt(base: str, token: str) -> dict[int, object]:
    """Start and answer one attempt through the API; its id."""
    h = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        r = await c.post(START_URL, headers=h)
        r.raise_for_status()
        attempt = r.json()
        for n, q in enumerate(attempt["questions"]):
            r = await c.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/{q['id']}",
                            json={"answer": answer_for(q, n)}, headers=h)
            r.raise_for_status()
    return attempt["id"]


async def copy_attempt(env: dict[str, str], attempt_id: int,
                       user_ids: list[int]) -> StormTally:
    """The first attempt copied for every other student, with its answers; every attempt's
    answers as acknowledged (what settle() looks for after the close)."""
    from tortoise import Tortoise

    from models.db import tortoise_config
    from models.quizzes import QuizAnswer, QuizAttempt

    await Tortoise.init(config=tortoise_config(env["DATABASE_URL"]))
    try:
        first = await QuizAttempt.get(id=attempt_id)
        answers = await QuizAnswer.filter(attempt_id=attempt_id).values_list(
            "question_id", "answer")
        others = [u for u in user_ids if u != first.user_id]
        await QuizAttempt.bulk_create([
            QuizAttempt(user_id=u, course_id=first.course_id, block_id=first.block_id,
                        number=1, seed=first.seed, paper=first.paper,
                        started_at=first.started_at, deadline_at=first.deadline_at,
                        max_points=first.max_points, last_saved_at=first.last_saved_at)
            for u in others], batch_size=1000)
        ids = await QuizAttempt.filter(user_id__in=others).values_list("id", flat=True)
        await QuizAnswer.bulk_create([
            QuizAnswer(attempt_id=a, question_id=q, answer=ans, saved_at=first.last_saved_at)
            for a in ids for q, ans in answers], batch_size=1000)
        saved = dict(answers)
        return StormTally(acked={a: dict(saved) for a in [attempt_id, *ids]})
    finally:
        await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=9000)
    parser.add_argument("--processes", type=int, choices=[1, 2], default=1)
    parser.add_argument("--setup-seconds", type=float, default=240.0,
                        help="time allowed for seeding, starting and copying before the close")
    parser.add_argument("--wait", type=float, default=600.0,
                        help="seconds to wait for all handed in, then for all graded")
    args = parser.parse_args()
    if args.students < 1 or args.setup_seconds <= 0 or args.wait <= 0:
        parser.error("--students, --setup-seconds and --wait must be positive")
    services = (os.environ.get("DATABASE_URL", "").startswith("postgres")
                and os.environ.get("REDIS_URL") and os.environ.get("MONGO_URL"))
    if args.processes == 2 and not services:
        parser.error("--processes 2 needs DATABASE_URL (PostgreSQL), REDIS_URL and MONGO_URL")
    data_dir = Path(tempfile.mkdtemp(prefix="cwbench-close-"))
    env = make_env(data_dir)
    if os.environ.get("MONGO_URL"):
        env["MONGO_URL"] = os.environ["MONGO_URL"]
        env["MONGO_DB"] = "cw_bench_" + data_dir.name.rsplit("-", 1)[-1]
    load_start = os.getloadavg()[0]
    closes_at = datetime.now(UTC) + timedelta(seconds=args.setup_seconds)
    try:
        tokens = asyncio.run(seed(env, args.students, closes_at))
        with Deployment(env, args.processes) as deployment:
            user_ids = list(tokens)
            first = asyncio.run(first_attempt(deployment.base, tokens[user_ids[0]]))
            tally = asyncio.run(copy_attempt(env, first, user_ids))
            left = (closes_at - datetime.now(UTC)).total_seconds()
            if left < 5:
                raise SystemExit(f"setup took too long: the quiz closed {-left:.0f} s ago; "
                                 "raise --setup-seconds")
            time.sleep(max(0.0, left - 1))
            result = asyncio.run(settle(env, closes_at, tally, args.wait))
            result.update(students=args.students, processes=args.processes,
                          setup_left_s=round(left, 1),
                          load_at_start=round(load_start, 2),
                          load_at_end=round(os.getloadavg()[0], 2),
                          services="postgres+redis" + ("+mongo-wire" if services else "")
                          if env["DATABASE_URL"].startswith("postgres") else "embedded")
        print(json.dumps(result))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        drop_databases(env)


if __name__ == "__main__":
    main()
