"""A submission never stays in flight forever: runs are capped, stuck ones are given up
(the attempt does not count), accepted async graders are waited for rather than asked
again, and failed external requests come back later without holding a worker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.settings import Settings
from grading import external, grade_job, limits, queries, submissions
from grading.external import ExternalGraderError, GraderReply
from grading.limits import GradingLimits
from grading.queue import RedisStreamQueue
from grading.sweeper import sweep_stale
from models.grading import Status, Submission
from tests.conftest import REDIS_URL
from tests.grading_app.conftest import Course, drain, graded_course

EXTERNAL = {
    "02-more/01-hw/01-unit-hw/05-ext.yaml": """
        type: problem
        title: Graded elsewhere
        kind: text
        prompt: What is six times seven?
        max_points: 4
        grader_url: http://127.0.0.1:9/grade
    """,
}


@pytest.fixture
async def ext_course(db: Settings, tmp_path: Path) -> AsyncIterator[Course]:
    async with graded_course(db, tmp_path / "course", EXTERNAL) as c:
        yield c


@pytest.fixture
def three_runs(monkeypatch):
    lim = GradingLimits(max_runs=3, give_up=timedelta(minutes=30),
                        async_reply=timedelta(hours=1))
    limits.LIMITS.bind(lim)
    return lim


async def _age(submission_id: int, **fields_minutes: int) -> None:
    old = {name: datetime.now(UTC) - timedelta(minutes=m) for name, m in fields_minutes.items()}
    await Submission.filter(id=submission_id).update(**old)


async def test_a_submission_whose_job_keeps_crashing_is_given_up(course, three_runs,
                                                                 monkeypatch):
    async def crash(*_args, **_kwargs):
        raise RuntimeError("grader process died")

    monkeypatch.setattr(grade_job, "grade_answer", crash)
    sub = await submissions.submit_answer(course.student, course.id, "code",
                                      {"code": "def double(x): return 2 * x"})
    for run in range(1, 4):
        course.queue._jobs.get_nowait()
        with pytest.raises(RuntimeError):
            await grade_job.grade_submission(sub.id)
        assert (await Submission.get(id=sub.id)).grader_runs == run
        await _age(sub.id, enqueued_at=10)
        swept = await sweep_stale(course.queue, stale_seconds=60)
        assert swept == ([sub.id] if run < 3 else [])
    row = await Submission.get(id=sub.id)
    assert row.status == Status.ERROR and row.grader_runs == 3
    assert "failed 3 times" in row.error_message and "does not count" in row.error_message
    # Not locked out, and the failed attempt used none of their attempts.
    monkeypatch.undo()
    again = await submissions.submit_answer(course.student, course.id, "code",
                                        {"code": "def double(x): return 2 * x"})
    assert again.attempt == 2
    state = await queries.student_block_state(course.student, course.id, "code")
    assert state.used_attempts == 1


async def test_a_job_for_a_submission_out_of_runs_gives_it_up(course, three_runs):
    sub = await submissions.submit_answer(course.student, course.id, "code", {"code": "x = 1"})
    await Submission.filter(id=sub.id).update(status=Status.GRADING, grader_runs=3)
    await grade_job.grade_submission(sub.id)
    row = await Submission.get(id=sub.id)
    assert row.status == Status.ERROR and row.grader_runs == 3


async def test_an_attempt_in_flight_past_the_deadline_no_longer_locks_the_student_out(
        course, three_runs):
    sub = await submissions.submit_answer(course.student, course.id, "code", {"code": "x = 1"})
    course.queue._jobs.get_nowait()  # lost
    with pytest.raises(Exception, match="still being graded"):
        await submissions.submit_answer(course.student, course.id, "code", {"code": "x = 2"})
    await _age(sub.id, submitted_at=31)
    # The next submit gives the overdue one up itself; no need to wait for a sweep.
    again = await submissions.submit_answer(course.student, course.id, "code", {"code": "x = 2"})
    row = await Submission.get(id=sub.id)
    assert row.status == Status.ERROR and "took too long" in row.error_message
    assert again.attempt == 2 and again.status == Status.QUEUED


async def test_sweeper_gives_up_on_submissions_past_the_deadline(course, three_runs):
    sub = await submissions.submit_answer(course.student, course.id, "code", {"code": "x = 1"})
    course.queue._jobs.get_nowait()
    await _age(sub.id, submitted_at=31, enqueued_at=31)
    assert await sweep_stale(course.queue, stale_seconds=60) == []
    assert (await Submission.get(id=sub.id)).status == Status.ERROR


async def test_accepted_async_grader_is_waited_for_not_asked_again(ext_course, three_runs,
                                                                   monkeypatch):
    posts: list[dict] = []

    async def accepts(url, form, params):
        posts.append(params)
        return None

    monkeypatch.setattr(external, "request_grade", accepts)
    sub = await submissions.submit_answer(ext_course.student, ext_course.id, "ext", {"text": "42"})
    await drain(ext_course.queue)
    row = await Submission.get(id=sub.id)
    assert row.status == Status.GRADING and row.grader_accepted_at is not None
    # Ten minutes later it is "stale", but the grader accepted it: no second POST.
    await _age(sub.id, enqueued_at=10)
    assert await sweep_stale(ext_course.queue, stale_seconds=60) == []
    await grade_job.grade_submission(sub.id)  # a duplicate job changes nothing either
    assert len(posts) == 1
    assert (await Submission.get(id=sub.id)).status == Status.GRADING
    # Past the async timeout: given up, with a message the student can read.
    await _age(sub.id, grader_accepted_at=61)
    await sweep_stale(ext_course.queue, stale_seconds=60)
    row = await Submission.get(id=sub.id)
    assert row.status == Status.ERROR and "never sent a result" in row.error_message
    assert (await submissions.submit_answer(ext_course.student, ext_course.id, "ext",
                                        {"text": "42"})).attempt == 2


async def _until(condition, timeout: float = 10.0) -> None:
    """Wait until `condition()` holds (a delayed job falls due on the event loop's clock)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never met"
        await asyncio.sleep(0.02)


async def test_failed_request_is_retried_later_without_sleeping_in_the_job(
        ext_course, monkeypatch):
    external.CONFIG.bind(external.ExternalConfig(retries=2, backoff=1.0))
    calls: list[float] = []

    async def flaky(url, form, params):
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise ExternalGraderError("HTTP 503")
        return GraderReply(10.0, 10.0, "Right")

    monkeypatch.setattr(external, "request_grade", flaky)
    sub = await submissions.submit_answer(ext_course.student, ext_course.id, "ext", {"text": "42"})
    started = time.monotonic()
    await drain(ext_course.queue)
    assert time.monotonic() - started < 0.9  # the 1 s backoff is not slept in the job
    row = await Submission.get(id=sub.id)
    assert row.status == Status.QUEUED and row.enqueued_at > datetime.now(UTC)
    assert ext_course.queue.delayed() == 1 and ext_course.queue.pending() == 0
    await _until(lambda: ext_course.queue.pending() == 1)  # due after its 1 s backoff
    await drain(ext_course.queue)
    row = await Submission.get(id=sub.id)
    assert row.status == Status.GRADED and row.points == 4 and row.grader_runs == 2
    assert calls[1] - calls[0] >= 1.0


async def test_external_retries_end_in_error(ext_course, monkeypatch):
    external.CONFIG.bind(external.ExternalConfig(retries=1, backoff=0.05))

    async def down(url, form, params):
        raise ExternalGraderError("connection refused")

    monkeypatch.setattr(external, "request_grade", down)
    sub = await submissions.submit_answer(ext_course.student, ext_course.id, "ext", {"text": "42"})
    await drain(ext_course.queue)
    await _until(lambda: ext_course.queue.pending() == 1)  # the retry, due after 0.05 s
    await drain(ext_course.queue)
    row = await Submission.get(id=sub.id)
    assert row.status == Status.ERROR and row.grader_runs == 2
    assert "did not answer" in row.error_message


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")
async def test_redis_delayed_job_reaches_the_stream_only_when_due():
    queue = RedisStreamQueue(REDIS_URL, "cwtest:" + uuid.uuid4().hex[:8], block_ms=50)
    seen: list[tuple[int, float]] = []
    started = time.monotonic()

    async def handler(job: int) -> None:
        seen.append((job, time.monotonic() - started))

    try:
        await queue.enqueue(5, delay=1.0)
        assert await queue.delayed() == 1 and await queue.redis.xlen(queue.stream) == 0
        assert await queue.promote_due() == 0
        await queue.enqueue(6)  # runnable now, on a worker with ONE slot
        task = asyncio.create_task(queue.run(handler, 1))
        for _ in range(200):
            if len(seen) == 2:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.wait([task], timeout=2)
        # The immediate job did not wait behind the delayed one's backoff.
        assert [job for job, _ in seen] == [6, 5]
        assert seen[0][1] < 0.9 and seen[1][1] >= 0.95
        assert await queue.delayed() == 0
    finally:
        await queue.redis.delete(queue.stream, queue.delayed_key)
        await queue.close()
