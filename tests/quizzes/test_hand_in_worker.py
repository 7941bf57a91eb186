"""A hand-in in an app process that does not grade stays `submitted` until a worker (here:
a consumer of the same queue, as `coursewire worker` runs) grades it; a lost job is
recovered by the sweeper, and the duplicate job grades nothing twice. In embedded and
service mode."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from grading.grade_job import grade_submission
from grading.queue import current_queue
from grading.sweeper import sweep_stale
from models.grading import Status, Submission
from models.quizzes import AttemptStatus, QuizAttempt
from tests.conftest import make_settings
from tests.quizzes.conftest import QuizCourse, graded
from tests.quizzes.test_hand_in_queue import (
    answered_and_handed_in,
    graded_rows,
    sql_statements,
)
from tests.support.databases import DatabaseFactory


@pytest.fixture
async def settings(db_factory: DatabaseFactory, tmp_path: Path) -> Settings:
    """An app process that does not grade: a separate worker consumes its queue."""
    return make_settings(tmp_path, await db_factory.new_url(), grading_in_app="0")


async def test_a_worker_grades_the_handed_in_attempt_and_the_sweeper_recovers_a_lost_job(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    attempt, _, _ = await answered_and_handed_in(client, quiz_course)
    stored = await QuizAttempt.get(id=attempt["id"])
    assert stored.status == AttemptStatus.SUBMITTED  # no consumer in this process
    assert (await Submission.get(id=stored.submission_id)).status == Status.QUEUED
    # Say its job was lost: the sweeper enqueues it again, so two jobs now name it.
    assert await sweep_stale(current_queue(), 0.0) == [stored.submission_id]
    worker = asyncio.create_task(current_queue().run(grade_submission, 2))
    try:
        done = await graded(attempt["id"])
    finally:
        worker.cancel()
        await asyncio.wait([worker], timeout=2.0)
    assert done.points == 3.0 and await graded_rows(attempt["id"]) == 1
    assert (await Submission.get(id=stored.submission_id)).status == Status.GRADED


async def test_grading_a_handed_in_attempt_reads_its_answers_once(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    """The grade and the frames it publishes use the same read of the answers (a handed-in
    attempt's cannot change), and the score reuses the job's reads: the submission, the
    block's history (extensions, group, override) and the student are read once."""
    attempt, _, _ = await answered_and_handed_in(client, quiz_course)
    stored = await QuizAttempt.get(id=attempt["id"])
    with sql_statements() as sent:
        await grade_submission(stored.submission_id)
    assert (await QuizAttempt.get(id=attempt["id"])).status == AttemptStatus.GRADED
    answers = [s for s in sent if s.startswith("SELECT") and 'FROM "quiz_answers"' in s]
    assert len(answers) == 1, sent
    for read in ('FROM "grading_submissions" WHERE "id"', 'FROM "grading_extensions"',
                 'FROM "memberships"', 'FROM "users"'):
        assert len([s for s in sent if s.startswith("SELECT") and read in s]) == 1, (read, sent)
    assert len(sent) <= 18, sent  # 25, then 24, before
