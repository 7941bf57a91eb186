"""The job queue delivers at least once: a job whose handler fails (or whose worker dies)
is not acknowledged and is claimed again; a duplicate job records one grade."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from grading.grade_job import grade_submission
from grading.queue import InProcessQueue, RedisStreamQueue
from grading.submissions import submit_answer
from models.grading import Status, Submission
from tests.conftest import REDIS_URL


async def _consume_until(queue, handler, predicate, timeout: float = 10.0) -> None:
    task = asyncio.create_task(queue.run(handler, 2))
    try:
        for _ in range(int(timeout / 0.05)):
            if predicate():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("condition never met")
    finally:
        task.cancel()
        await asyncio.wait([task], timeout=2)


async def test_in_process_queue_runs_jobs_and_survives_a_failing_one():
    queue = InProcessQueue()
    seen: list[int] = []

    async def handler(job: int) -> None:
        if job == 1:
            raise RuntimeError("boom")
        seen.append(job)

    for job in (1, 2, 3):
        await queue.enqueue(job)
    await _consume_until(queue, handler, lambda: len(seen) == 2)
    assert sorted(seen) == [2, 3]


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")
async def test_unacknowledged_job_is_claimed_by_another_worker():
    prefix = "cwtest:" + uuid.uuid4().hex[:8]
    first = RedisStreamQueue(REDIS_URL, prefix, claim_after=0.3, block_ms=100)
    second = RedisStreamQueue(REDIS_URL, prefix, claim_after=0.3, block_ms=100)
    calls: list[tuple[str, int]] = []

    async def dies(job: int) -> None:  # a worker that crashes mid-job
        calls.append(("first", job))
        raise RuntimeError("worker died")

    async def works(job: int) -> None:
        calls.append(("second", job))

    try:
        await first.enqueue(7)
        await _consume_until(first, dies, lambda: ("first", 7) in calls)
        await _consume_until(second, works, lambda: ("second", 7) in calls)
        assert await second.pending() == 0  # acknowledged and deleted
    finally:
        await first.redis.delete(first.stream)
        await first.close()
        await second.close()


async def test_duplicate_jobs_record_one_grade(course):
    sub = await submit_answer(course.student, course.id, "pick", {"choice": "a"})
    await asyncio.gather(*(grade_submission(sub.id) for _ in range(3)))
    row = await Submission.get(id=sub.id)
    assert row.status == Status.GRADED and row.points == 2
    from models.events import Event

    grades = await Event.filter(topic=f"user:{course.student.id}", name="grade.updated").count()
    assert grades == 1


async def _wait_for_status(submission_id: int, status: Status, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if (await Submission.get(id=submission_id)).status == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"submission {submission_id} never became {status}")


async def _delete_keys(queue: RedisStreamQueue, prefix: str) -> int:
    """What a Redis restarted empty looks like to this test: its own keys gone (never
    FLUSHALL: the server is shared)."""
    keys = [key async for key in queue.redis.scan_iter(match=f"{prefix}:*")]
    return await queue.redis.delete(*keys) if keys else 0


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")
async def test_grading_resumes_after_redis_loses_the_stream_and_its_group(course):
    from grading.queue import QUEUE
    from grading.sweeper import sweep_stale

    prefix = "cwtest:" + uuid.uuid4().hex[:8]
    queue = RedisStreamQueue(REDIS_URL, prefix, claim_after=30, block_ms=100)
    QUEUE.bind(queue)
    consumer = asyncio.create_task(queue.run(grade_submission, 2))
    try:
        first = await submit_answer(course.student, course.id, "number", {"value": 42})
        await _wait_for_status(first.id, Status.GRADED)

        assert await _delete_keys(queue, prefix) >= 1  # the stream and its group are gone
        second = await submit_answer(course.student, course.id, "number", {"value": 41})
        await _wait_for_status(second.id, Status.GRADED)

        # A job lost with the flush (enqueued, never read): the database still says
        # `queued`, and the sweeper puts it back.
        consumer.cancel()
        await asyncio.wait([consumer], timeout=2)
        third = await submit_answer(course.student, course.id, "number", {"value": 40})
        assert await _delete_keys(queue, prefix) >= 1
        consumer = asyncio.create_task(queue.run(grade_submission, 2))
        assert third.id in await sweep_stale(queue, stale_seconds=0)
        await _wait_for_status(third.id, Status.GRADED)
    finally:
        consumer.cancel()
        await asyncio.wait([consumer], timeout=2)
        await _delete_keys(queue, prefix)
        QUEUE.bind(course.queue)
        await queue.close()
