"""Every quiz event goes to a topic its EventType names, and its data fits the payload:
quiz.attempt.updated to the student's tabs (and the attempt's own topic, with
quiz.attempt.opened when a device opens it), quiz.progress to the course staff."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from core.event_types import problems
from quizzes import events
from tests.quizzes.conftest import QUIZ_URL, QuizCourse, graded

TYPES = {t.name: t for t in events.EVENT_TYPES}


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, dict[str, Any]]]:
    sent: list[tuple[str, str, dict[str, Any]]] = []
    real = events.publish

    async def recording(topic: str, event: str, data: dict[str, Any],
                        html: dict[str, str] | None = None) -> int:
        sent.append((topic, event, data))
        return await real(topic, event, data, html)

    monkeypatch.setattr(events, "publish", recording)
    return sent


async def test_quiz_events_fit_their_types_and_reach_student_and_staff(
        client: httpx.AsyncClient, quiz_course: QuizCourse, published: list):
    ada = quiz_course.headers["ada"]
    attempt = (await client.post(QUIZ_URL, headers=ada)).json()
    await client.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/capital",
                     json={"answer": {"choice": "paris"}}, headers=ada)
    await client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit", headers=ada)
    await graded(attempt["id"])  # by grading's queue, after the hand-in returned
    student_topic = f"user:{quiz_course.student.id}"
    staff_topic = f"course:{quiz_course.id}:staff"
    steps = [(t, e, d["*"]["status"] if "*" in d else d["staff"]["status"])
             for t, e, d in published if e != "quiz.attempt.opened"]
    attempt_topic = f"quiz-attempt:{attempt['id']}"
    assert [e for t, e, _ in published if t == attempt_topic] == [
        "quiz.attempt.updated", "quiz.attempt.opened", "quiz.attempt.updated",
        "quiz.attempt.updated", "quiz.attempt.updated"]
    assert [s for s in steps if s[0] == student_topic] == [
        (student_topic, "quiz.attempt.updated", status)
        for status in ("in_progress", "in_progress", "submitted", "graded")]
    assert [s[2] for s in steps if s[0] == staff_topic] == [
        "in_progress", "in_progress", "submitted", "graded"]
    staff_data = [d["staff"] for t, _, d in published if t == staff_topic]
    assert staff_data[1]["last_saved_at"] and staff_data[0]["name"] == "Ada"
    for topic, name, data in published:
        kinds = {p.split(":")[0] for p in TYPES[name].topics}
        assert topic.split(":")[0] in kinds
        for payload in data.values():
            assert problems(TYPES[name].payload, payload) == []


async def test_an_autosave_makes_no_open_unit_page_fetch_its_panel(
        client: httpx.AsyncClient, quiz_course: QuizCourse, monkeypatch: pytest.MonkeyPatch):
    """A save changes nothing the unit page's quiz panel shows: the student's topic gets
    the JSON payload (API clients on `user:me`) but no frame, where a start or a hand-in
    makes the panel fetch itself again."""
    frames: list[tuple[str, bool]] = []
    real = events.publish

    async def recording(topic: str, event: str, data: dict[str, Any],
                        html: dict[str, str] | None = None) -> int:
        if topic.startswith("user:"):
            frames.append((data["*"]["last_saved_at"] or "", bool(html)))
        return await real(topic, event, data, html)

    monkeypatch.setattr(events, "publish", recording)
    ada = quiz_course.headers["ada"]
    attempt = (await client.post(QUIZ_URL, headers=ada)).json()
    saved = await client.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/capital",
                             json={"answer": {"choice": "paris"}}, headers=ada)
    await client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit", headers=ada)
    assert saved.status_code == 200
    assert [has_html for _, has_html in frames] == [True, False, True]
    assert frames[1][0]  # the save's payload says when it saved
