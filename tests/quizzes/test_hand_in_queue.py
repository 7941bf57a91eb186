"""Handing a quiz in only submits it: grading's queued job grades the attempt afterwards
(in a worker, or the web process's own consumer), once however often the job runs, and
the sweeper still recovers a lost job. A deadline round claims a whole batch of overdue
attempts with a fixed number of statements. In embedded and service mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx
import pytest

from courses.service import set_member_role
from grading.grade_job import grade_submission
from models.courses import Role
from models.grading import Status, Submission
from models.quiz_audit import AttemptAction, QuizAttemptEvent
from models.quizzes import AttemptStatus, QuizAttempt
from quizzes import deadlines, scoring
from quizzes.attempts import start_attempt
from tests.quizzes.conftest import QUIZ_URL, RIGHT, Clock, QuizCourse, graded
from tests.support.people import person


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Grading a quiz question waits until the test opens this gate."""
    opened = asyncio.Event()
    real = scoring._grade_question

    async def waiting(drawn: Any, answer: Any) -> dict[str, Any]:
        await opened.wait()
        return await real(drawn, answer)

    monkeypatch.setattr(scoring, "_grade_question", waiting)
    return opened


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    """The SQL statements the ORM sends inside the block from this task and the tasks it
    starts (its debug log, one per call): not from the process's other tasks, such as the
    outbox relay or the queue's consumers, started before."""
    sent: list[str] = []
    mark = _COUNTING.set(sent)

    class Record(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if _COUNTING.get() is sent:
                sent.append(record.getMessage())

    db_log = logging.getLogger("tortoise.db_client")
    handler, level = Record(), db_log.level
    db_log.addHandler(handler)
    db_log.setLevel(logging.DEBUG)
    try:
        yield sent
    finally:
        db_log.removeHandler(handler)
        db_log.setLevel(level)
        _COUNTING.reset(mark)


_COUNTING: ContextVar[list[str] | None] = ContextVar("counting statements", default=None)


async def answered_and_handed_in(client: httpx.AsyncClient, course: QuizCourse
                                 ) -> tuple[dict, httpx.Response, list[str]]:
    """Ada answers every question right and hands in: the attempt, the reply, and the
    SQL statements of the hand-in request."""
    ada = course.headers["ada"]
    attempt = (await client.post(QUIZ_URL, headers=ada)).json()
    for q in attempt["questions"]:
        r = await client.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/{q['id']}",
                             json={"answer": RIGHT[q["id"]]}, headers=ada)
        assert r.status_code == 200, r.text
    # Bounded: before the change, the request itself graded, and so waited on the gate.
    with sql_statements() as sent:
        r = await asyncio.wait_for(client.post(
            f"/api/v1/quiz-attempts/{attempt['id']}/submit", headers=ada), timeout=10)
    assert r.status_code == 202, r.text
    return attempt, r, sent


async def graded_rows(attempt_id: int) -> int:
    return await QuizAttemptEvent.filter(attempt_id=attempt_id,
                                         action=AttemptAction.GRADED).count()


async def test_hand_in_returns_before_grading_and_the_queue_grades_it(
        client: httpx.AsyncClient, quiz_course: QuizCourse, gate: asyncio.Event):
    attempt, r, sent = await answered_and_handed_in(client, quiz_course)
    assert r.json()["status"] == "submitted"
    stored = await QuizAttempt.get(id=attempt["id"])
    assert stored.status == AttemptStatus.SUBMITTED and stored.points is None
    submission = await Submission.get(id=stored.submission_id)  # linked on submit
    assert submission.status in (Status.QUEUED, Status.GRADING)
    assert await graded_rows(attempt["id"]) == 0
    assert any(s.startswith("UPDATE") and '"quiz_attempts"' in s for s in sent)  # the claim
    assert not [s for s in sent if '"results"=' in s]  # no grade was written
    assert len(sent) < 35, len(sent)  # 25 here; grading it inline took about 52 more
    gate.set()
    done = await graded(attempt["id"])
    assert done.points == 3.0 and set(done.results) == {q["id"] for q in attempt["questions"]}
    assert (await Submission.get(id=submission.id)).status == Status.GRADED
    read = (await client.get(f"/api/v1/quiz-attempts/{attempt['id']}",
                             headers=quiz_course.headers["ada"])).json()
    assert read["status"] == "graded" and read["points"] == 3.0
    assert await graded_rows(attempt["id"]) == 1


async def test_a_job_run_several_times_at_once_grades_once(
        client: httpx.AsyncClient, quiz_course: QuizCourse, gate: asyncio.Event):
    attempt, _, _ = await answered_and_handed_in(client, quiz_course)
    submission_id = (await QuizAttempt.get(id=attempt["id"])).submission_id
    runs = [asyncio.create_task(grade_submission(submission_id)) for _ in range(2)]
    for _ in range(400):  # both runs and the queue's own have started: all at the gate
        if (await Submission.get(id=submission_id)).grader_runs == 3:
            break
        await asyncio.sleep(0.025)
    gate.set()
    await asyncio.gather(*runs)
    done = await graded(attempt["id"])
    await grade_submission(submission_id)  # and once more, after it was graded
    assert done.points == 3.0 and await graded_rows(attempt["id"]) == 1
    submission = await Submission.get(id=submission_id)
    assert submission.status == Status.GRADED and submission.points == 3.0


async def students_with_attempts(course: QuizCourse, count: int, start: int) -> list[int]:
    ids = []
    for n in range(start, start + count):
        student = await person(f"student{n}@example.org", f"Student {n}")
        await set_member_role(course.instructor, course.id, student.id, Role.STUDENT)
        attempt, _ = await start_attempt(student, course.id, "midterm")
        ids.append(attempt.id)
    return ids


async def test_a_deadline_round_claims_a_batch_with_a_fixed_number_of_statements(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock,
        monkeypatch: pytest.MonkeyPatch):
    async def idle() -> list[QuizAttempt]:
        return []

    monkeypatch.setattr(deadlines, "hand_in_overdue", idle)  # the app's own rounds wait
    counts: dict[int, list[str]] = {}
    for size, start in ((2, 0), (6, 10)):
        ids = await students_with_attempts(quiz_course, size, start)
        moved_clock.forward(minutes=60)
        with sql_statements() as sent:
            claimed, more = await deadlines.claim_overdue(limit=50)
        assert sorted(a.id for a in claimed) == sorted(ids) and not more
        counts[size] = list(sent)
    for sent in counts.values():
        assert len([s for s in sent if s.startswith("UPDATE") and "quiz_attempts" in s]) == 1
        assert len([s for s in sent if "INSERT" in s and "quiz_attempt_events" in s]) == 1
        # The outbox rows too: three events per attempt, in one insert (realtime/outbox.py).
        assert len([s for s in sent if "INSERT" in s and '"events"' in s]) == 1
    assert len(counts[6]) == len(counts[2]), counts[6]
    for attempt_id in ids:
        attempt = await QuizAttempt.get(id=attempt_id)
        assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_by_server
        trail = await QuizAttemptEvent.filter(attempt_id=attempt_id).order_by("id")
        assert [t.action for t in trail] == [AttemptAction.STARTED,
                                             AttemptAction.SUBMITTED_AT_DEADLINE]
        assert trail[1].actor_id is None and trail[1].deadline_at == attempt.deadline_at


async def test_rounds_racing_in_small_batches_hand_each_attempt_in_once(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock,
        monkeypatch: pytest.MonkeyPatch):
    ids = await students_with_attempts(quiz_course, 7, 0)
    monkeypatch.setattr(deadlines, "BATCH", 2)  # several claims per round, overlapping
    moved_clock.forward(minutes=60)
    rounds = await asyncio.gather(*(deadlines.submit_overdue() for _ in range(3)))
    mine = [a for r in rounds for a in r]
    assert len(mine) == len(set(mine)) and set(mine) <= set(ids)
    for attempt_id in ids:
        done = await graded(attempt_id)
        assert done.submitted_by_server
        trail = [t.action for t in await QuizAttemptEvent.filter(
            attempt_id=attempt_id).order_by("id")]
        assert trail == [AttemptAction.STARTED, AttemptAction.SUBMITTED_AT_DEADLINE,
                         AttemptAction.GRADED], trail
        assert await Submission.filter(user_id=done.user_id, block_id="midterm").count() == 1


async def test_the_schedule_goes_on_claiming_while_a_rounds_handover_to_grading_waits(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock,
        monkeypatch: pytest.MonkeyPatch):
    """The app's own schedule: the first round's hand-ins wait on their way to grading
    (storing thousands of submissions at a close takes a while), yet the attempts that
    fall due next are handed in on the next rounds, not after that handover."""
    release, handovers = asyncio.Event(), []
    real = deadlines.hand_to_grading

    async def slow(attempts: list[QuizAttempt], at_once: int = 1) -> None:
        handovers.append(sorted(a.id for a in attempts))
        await release.wait()
        await real(attempts, at_once)

    monkeypatch.setattr(deadlines, "hand_to_grading", slow)
    # Held for minutes of the moved clock, the first handover would be swept up as stalled.
    monkeypatch.setattr(deadlines, "HANDOVER_LEASE", 10.0 ** 9)
    first = await students_with_attempts(quiz_course, 2, 0)
    moved_clock.forward(minutes=20)
    second = await students_with_attempts(quiz_course, 2, 10)
    moved_clock.forward(minutes=15)  # the first two are overdue, the next two not yet

    async def submitted(ids: list[int]) -> bool:
        for _ in range(200):
            if await QuizAttempt.filter(id__in=ids, status=AttemptStatus.SUBMITTED).count() \
                    == len(ids):
                return True
            await asyncio.sleep(0.05)
        return False

    assert await submitted(first) and handovers == [sorted(first)]
    moved_clock.forward(minutes=20)
    assert await submitted(second), "the second batch waited for the first's handover"
    assert sorted(handovers) == sorted([sorted(first), sorted(second)])
    release.set()
    for attempt_id in first + second:
        assert (await graded(attempt_id)).submitted_by_server
