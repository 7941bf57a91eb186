"""SIGTERM to a grading worker with jobs in hand: it takes no more jobs, lets those in hand
finish for a grace period and cancels the rest, which stay unacknowledged and are graded
by the next worker, as if the process had died; only then does it close the database.
(It used to close the database first: stopping a worker in a load test logged 2,846
`DB configuration not initialised` tracebacks.) In embedded and service mode: embedded,
the next worker's sweeper enqueues the cancelled jobs again; in service mode, it claims
them from the stream (XAUTOCLAIM), the sweeper idle."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import redis.asyncio as redis

from core.settings import Settings
from grading import grade_job, worker
from grading.queue import GradingQueue, RedisStreamQueue
from grading.submissions import submit_answer
from models.db import close_db, init_db
from models.events import Event
from models.grading import Status, Submission
from tests.conftest import REDIS_URL
from tests.grading_app.conftest import graded_course

GRACE = 3.0


async def _until(condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        await asyncio.sleep(0.05)


async def _statuses(ids: list[int]) -> list[Status]:
    return [(await Submission.get(id=i)).status for i in ids]


async def _sigterm(worker_task: asyncio.Task[None],
                   while_stopping: asyncio.Event | None = None) -> float:
    """SIGTERM this process (the worker's handler takes it); half a second later, the
    worker still stopping, set `while_stopping`. The seconds until the worker returned."""
    started = time.monotonic()
    os.kill(os.getpid(), signal.SIGTERM)
    if while_stopping is not None:
        await asyncio.sleep(0.5)
        assert not worker_task.done(), "it did not wait for its jobs in hand"
        while_stopping.set()
    await asyncio.wait_for(worker_task, timeout=GRACE + 120)
    return time.monotonic() - started


async def _pending(settings: Settings) -> tuple[int, int]:
    """(jobs not acknowledged, jobs in the stream) of this test's grading stream."""
    client = redis.from_url(REDIS_URL)
    stream = f"{settings.redis_prefix}:grading:jobs"
    try:
        pending = await client.xpending(stream, RedisStreamQueue.GROUP)
        return pending["pending"], await client.xlen(stream)
    finally:
        await client.aclose()


def _deaf_to_one_cancel(queue: GradingQueue) -> GradingQueue:
    """The queue's taking loop misses the first cancellation where it waits for jobs, as a
    cancelled blocking XREADGROUP in redis-py can: the stop must end the jobs in hand
    itself, not wait on the loop and then close the database under them (it did: "pool is
    closing" tracebacks at the end of the exam storm's benchmark)."""

    def deaf(wait):
        async def waiting(*args):
            try:
                return await wait(*args)
            except asyncio.CancelledError:
                return await wait(*args)  # a second cancellation gets through
        return waiting

    if isinstance(queue, RedisStreamQueue):
        queue._fetch = deaf(queue._fetch)  # type: ignore[method-assign]
    else:
        queue._jobs.get = deaf(queue._jobs.get)  # type: ignore[attr-defined]
    return queue


@pytest.mark.parametrize("loop", ["prompt", "deaf to one cancel"])
async def test_sigterm_finishes_jobs_in_hand_and_leaves_the_cut_ones_to_the_next_worker(
        db: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, loop: str):
    caplog.set_level(logging.WARNING)
    async with graded_course(db, tmp_path / "course") as course:
        picks = [(await submit_answer(who, course.id, "pick", {"choice": "a"})).id
                 for who in (course.student, course.other)]
        numbers = [(await submit_answer(who, course.id, "number", {"value": 42})).id
                   for who in (course.student, course.other)]
    await close_db()  # the worker opens the database itself, as its own process does

    # In the first worker "pick" answers grade once `release` is set; "number" answers
    # never do.
    grade_answer = grade_job.grade_answer
    release = asyncio.Event()
    in_hand: list[object] = []

    async def slow(block_type, fields, answer, **kwargs):
        in_hand.append(answer)
        await (release if "choice" in answer else asyncio.Event()).wait()
        return await grade_answer(block_type, fields, answer, **kwargs)

    monkeypatch.setattr(grade_job, "grade_answer", slow)
    queues: list[GradingQueue] = []  # the worker binds its queue in its own task's context
    open_queue = worker.open_queue

    def opened(settings: Settings) -> GradingQueue:
        queue = open_queue(settings)
        if loop != "prompt" and not queues:  # the first worker only
            queue = _deaf_to_one_cancel(queue)
        queues.append(queue)
        return queue

    monkeypatch.setattr(worker, "open_queue", opened)
    # Room for more jobs: the loop waits for them (not for a free slot) when stopped.
    first = asyncio.create_task(worker.run_worker(db, 8, grace=GRACE))
    await _until(lambda: queues, "the worker started")
    for submission_id in picks + numbers:
        await queues[0].enqueue(submission_id)
    await _until(lambda: len(in_hand) == 4, "four jobs in hand")

    # Stopping, it lets the "pick" jobs finish; the "number" ones it cuts after the grace.
    stopped_in = await _sigterm(first, while_stopping=release)
    print(f"worker SIGTERM with 4 jobs in hand: 2 finished, 2 cut; returned {stopped_in:.2f} s "
          f"after the signal (grace {GRACE:g} s)")
    assert stopped_in < GRACE + 15
    await init_db(db)
    assert await _statuses(picks) == [Status.GRADED, Status.GRADED]
    assert await _statuses(numbers) == [Status.GRADING, Status.GRADING]  # cut mid-grade
    if REDIS_URL:  # the finished jobs were acknowledged; the cut ones are pending
        assert await _pending(db) == (2, 2)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR
              and not r.getMessage().startswith("code exercises will end in error")]
    assert errors == [], [r.getMessage() for r in errors]
    assert not [r for r in caplog.records if "ConfigurationError" in (r.exc_text or "")]
    assert [r.getMessage() for r in caplog.records if "cancelled" in r.getMessage()] == [
        f"stopping: 2 grading jobs still running after {GRACE:g} s were cancelled; "
        "not acknowledged, they will be graded again"]
    await close_db()

    # The next worker grades them: it claims the idle pending jobs (service mode), or
    # its sweeper enqueues them again (embedded: the first worker's queue went with it).
    monkeypatch.setattr(grade_job, "grade_answer", grade_answer)
    later = replace(db, grading_stale_seconds=1.0,
                    grading_sweep_seconds=300.0 if REDIS_URL else 0.2)
    started = time.monotonic()
    second = asyncio.create_task(worker.run_worker(later, 4, grace=GRACE))
    try:
        await _until(lambda: len(queues) == 2, "the next worker started")
        deadline = time.monotonic() + 60
        while (statuses := await _statuses(numbers)) != [Status.GRADED, Status.GRADED]:
            assert time.monotonic() < deadline, statuses
            await asyncio.sleep(0.1)
        print(f"the next worker graded the 2 cut jobs {time.monotonic() - started:.2f} s "
              "after it started")
    finally:
        stopped_in = await _sigterm(second)
        await init_db(db)  # for the fixture's close
    assert stopped_in < GRACE + 15
    # One grade for each of the four answers: the cut runs recorded none, none came twice.
    assert await Event.filter(topic=f"course:{course.id}:staff", name="grade.updated").count() == 4
    if REDIS_URL:
        assert await _pending(db) == (0, 0)
