"""A deployment sets the grace after a deadline (COURSEWIRE_QUIZ_GRACE_SECONDS): with 0,
the app's own deadline schedule hands an attempt in as soon as its deadline has passed,
where the default (15 s) would still be waiting."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from core.settings import load_settings
from models.quizzes import QuizAttempt
from quizzes.timing import GRACE_SECONDS
from tests.conftest import make_settings
from tests.quizzes.conftest import QUIZ_URL, Clock, QuizCourse


@pytest.fixture
async def settings(db_factory, tmp_path):
    return make_settings(tmp_path, await db_factory.new_url(), quiz_grace_seconds=0.0)


async def test_the_apps_schedule_uses_the_deployments_grace(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock):
    r = await client.post(QUIZ_URL, headers=quiz_course.headers["ada"])
    assert r.status_code == 201, r.text
    attempt_id = r.json()["id"]
    moved_clock.forward(minutes=30, seconds=1)  # a second past the deadline
    for _ in range(100):  # the schedule's rounds are a second apart
        stored = await QuizAttempt.get(id=attempt_id)
        if stored.status != "in_progress":
            break
        await asyncio.sleep(0.1)
    assert stored.status != "in_progress" and stored.submitted_by_server


def test_the_grace_is_read_from_the_environment(tmp_path):
    assert load_settings({"COURSEWIRE_DATA_DIR": str(tmp_path)}).quiz_grace_seconds == (
        GRACE_SECONDS)
    assert load_settings({"COURSEWIRE_DATA_DIR": str(tmp_path),
                          "COURSEWIRE_QUIZ_GRACE_SECONDS": "0"}).quiz_grace_seconds == 0
    with pytest.raises(ValueError, match="COURSEWIRE_QUIZ_GRACE_SECONDS"):
        load_settings({"COURSEWIRE_DATA_DIR": str(tmp_path),
                       "COURSEWIRE_QUIZ_GRACE_SECONDS": "601"})
