"""Live = reload for quizzes: Ada starts the midterm, autosaves, gets extra time and hands
in. Her unit page (the quiz panel) follows (quiz.attempt.updated), her attempt page not yet
(xfail below); the proctor page of the TA and the instructor follows every step
(quiz.progress). Bob keeps his
unit page open throughout: nothing of Ada's may reach it. The quizzes' clock stands still,
so the time left reads the same live and on a reload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from models.quizzes import QuizAttempt
from tests.quizzes.conftest import COURSE_ID, Clock, setup_quiz_course
from tests.support.live_reload import Viewer, covers, verify_action
from tests.support.people import browser_login

UNIT = f"/courses/{COURSE_ID}/units/paper"
PROCTOR = f"/courses/{COURSE_ID}/quizzes/midterm/proctor"


@dataclass
class QuizCast:
    app: object
    prof: Viewer
    ta: Viewer
    ada: Viewer
    bob: Viewer

    @property
    def hub(self):
        return self.app.runtime.hub  # type: ignore[attr-defined]


@pytest.fixture
async def quiz_cast(app, tmp_path, monkeypatch) -> AsyncIterator[QuizCast]:
    Clock(monkeypatch)
    app.runtime.bind()
    people = await setup_quiz_course(tmp_path / "course")
    viewers = []
    for name, user in zip(("prof", "ta", "ada", "bob"), people, strict=True):
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                              base_url="http://testserver")
        csrf = await browser_login(c, user.email)
        c.headers.update({"X-CSRF-Token": csrf, "HX-Request": "true"})
        viewers.append(Viewer(name, c, user))
    yield QuizCast(app, *viewers)
    for v in viewers:
        await v.client.aclose()


def proctors(cast: QuizCast) -> dict:
    return {cast.ta: [PROCTOR], cast.prof: [PROCTOR]}


async def _start(cast: QuizCast) -> str:
    r = await cast.ada.client.post(f"/courses/{COURSE_ID}/quizzes/midterm/attempt")
    assert r.status_code in (204, 303), r.text  # htmx: HX-Redirect
    attempt = await QuizAttempt.get(user_id=cast.ada.user.id, block_id="midterm")
    return f"/courses/{COURSE_ID}/quiz-attempts/{attempt.id}"


@covers("quiz.attempt.updated", "quiz.progress")
async def test_starting(quiz_cast):
    """Ada starts the midterm from her unit page (in another tab): her panel offers to
    resume, the proctor page shows her in progress; Bob's panel is untouched."""
    cast = quiz_cast
    pages = {cast.ada: [UNIT], cast.bob: [UNIT], **proctors(cast)}
    frames = await verify_action(cast.hub, pages, lambda: _start(cast))
    assert frames[f"bob {UNIT}"] == []
    assert any("in progress" in f and "Ada" in f for f in frames[f"ta {PROCTOR}"])


async def _save(cast: QuizCast, url: str) -> None:
    attempt_id = url.rsplit("/", 1)[1]
    r = await cast.ada.client.put(f"/api/v1/quiz-attempts/{attempt_id}/answers/capital",
                                  json={"answer": {"choice": "paris"}})
    assert r.status_code == 200, r.text


async def _extra_time(cast: QuizCast, url: str) -> None:
    r = await cast.prof.client.put(
        f"/api/v1/courses/{COURSE_ID}/quizzes/midterm/accommodations/{cast.ada.user.id}",
        json={"extra_minutes": 15})
    assert r.status_code == 200, r.text


async def _hand_in(cast: QuizCast, url: str) -> None:  # graded at once
    r = await cast.ada.client.post(f"/api/v1/quiz-attempts/{url.rsplit('/', 1)[1]}/submit")
    assert r.status_code == 202, r.text


STEPS = {"autosave": _save, "extra time": _extra_time, "hand in": _hand_in}


@pytest.mark.parametrize("step", list(STEPS))
@covers("quiz.attempt.updated", "quiz.progress")
async def test_a_running_attempt_changes(quiz_cast, step):
    """From another tab or device (or the instructor's accommodation): Ada's panel
    (time left, resume or the graded attempt) and the proctor row follow."""
    cast = quiz_cast
    url = await _start(cast)
    if step == "hand in":
        await _save(cast, url)
    pages = {cast.ada: [UNIT], cast.bob: [UNIT], **proctors(cast)}
    frames = await verify_action(cast.hub, pages, lambda: STEPS[step](cast, url))
    assert frames[f"bob {UNIT}"] == []
    if step == "hand in":
        assert any('data-status="graded"' in f for f in frames[f"prof {PROCTOR}"])


# The attempt page subscribes to user:me but quiz.attempt.updated brings it no HTML: a
# save from another tab, an accommodation or a hand-in shows only on a reload (quiz.js
# polls every 30 s and reloads once the attempt is handed in). Pushing the attempt needs
# quiz.js to rebind after a swap and to keep what is being typed in this tab; reported,
# not fixed here. When it is live these xfails fail: drop them.
@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="the attempt page is not updated live (reported; not fixed here)")
@pytest.mark.parametrize("step", list(STEPS))
async def test_the_attempt_page(quiz_cast, step):
    cast = quiz_cast
    url = await _start(cast)
    await verify_action(cast.hub, {cast.ada: [url]}, lambda: STEPS[step](cast, url))
