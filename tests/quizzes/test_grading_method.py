"""A quiz's grading method (`grading: highest|last|average|first`) decides the score its
attempts count for in the gradebook and the student's progress (grading's counting rule,
declared by the quiz block type); in embedded and service mode."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.quizzes.conftest import (
    COURSE_ID,
    QUIZ_URL,
    RIGHT,
    QuizCourse,
    graded,
    setup_quiz_course,
    use_grading_method,
)
from tests.support.people import bearer, token


@pytest.fixture
async def method_course(request, monkeypatch, app, client: httpx.AsyncClient,
                        tmp_path: Path) -> QuizCourse:
    use_grading_method(monkeypatch, request.param)
    people = await setup_quiz_course(tmp_path / "course")
    headers = {u.email.split("@")[0]: bearer(await token(client, u.email)) for u in people}
    return QuizCourse(COURSE_ID, *people, headers)


async def hand_in(client: httpx.AsyncClient, course: QuizCourse, answered: set[str] | None
                  ) -> int:
    """Ada takes one attempt, answering right the questions in `answered` (None: all)."""
    ada = course.headers["ada"]
    attempt = (await client.post(QUIZ_URL, headers=ada)).json()
    for q in attempt["questions"]:
        if answered is None or q["id"] in answered:
            r = await client.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/{q['id']}",
                                 json={"answer": RIGHT[q["id"]]}, headers=ada)
            assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit", headers=ada)
    assert r.status_code == 202, r.text
    await graded(attempt["id"])
    return attempt["id"]


async def midterm_points(client: httpx.AsyncClient, course: QuizCourse, who: str) -> float:
    rows = (await client.get(f"/api/v1/courses/{course.id}/grades",
                             headers=course.headers[who])).json()
    ada = next(r for r in rows if r["user_id"] == course.student.id)
    return next(b for b in ada["blocks"] if b["block_id"] == "midterm")["points"]


# Attempt 1: every question right (3 of 3); attempt 2: only the capital (1 of 3).
@pytest.mark.parametrize(("method_course", "expected"), [
    ("highest", 3.0), ("last", 1.0), ("average", 2.0), ("first", 3.0)],
    indirect=["method_course"])
async def test_the_gradebook_and_progress_count_attempts_by_the_quiz_method(
        client: httpx.AsyncClient, method_course: QuizCourse, expected: float):
    course = method_course
    await hand_in(client, course, None)
    await hand_in(client, course, {"capital"})
    assert await midterm_points(client, course, "ada") == expected  # her own row
    assert await midterm_points(client, course, "prof") == expected  # the gradebook
    progress = await client.get(f"/courses/{course.id}/progress",
                                headers=course.headers["ada"])
    assert progress.status_code == 200
    assert f'<li data-block="midterm">Midterm: {expected:g} / 3</li>' in progress.text


@pytest.mark.parametrize("method_course", ["average"], indirect=True)
async def test_a_reopened_attempt_stops_counting_until_handed_in_again(
        client: httpx.AsyncClient, method_course: QuizCourse):
    course = method_course
    await hand_in(client, course, None)
    second = await hand_in(client, course, {"capital"})
    assert await midterm_points(client, course, "prof") == 2.0
    r = await client.post(f"/api/v1/quiz-attempts/{second}/reopen", json={"minutes": 10},
                          headers=course.headers["ta"])
    assert r.status_code == 200, r.text
    assert await midterm_points(client, course, "prof") == 3.0  # only attempt 1 counts
    r = await client.post(f"/api/v1/quiz-attempts/{second}/submit",
                          headers=course.headers["ada"])
    assert r.status_code == 202, r.text
    await graded(second)
    assert await midterm_points(client, course, "prof") == 2.0
