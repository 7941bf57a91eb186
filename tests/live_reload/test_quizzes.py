"""Live = reload for quizzes: Ada starts the midterm, autosaves, gets extra time and hands
in; a TA extends or reopens her attempt. Her unit page (the quiz panel) and her attempt
page follow (quiz.attempt.updated, the latter on the attempt's own topic; quiz.attempt.opened
when another device takes it over); the proctor page of the TA and the instructor follows
every step (quiz.progress). Bob keeps his unit page open throughout: nothing of Ada's may
reach it. The quizzes' clock stands still, so the time left reads the same live and on a
reload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from models.events import Event
from models.quiz_audit import AttemptAction, QuizAttemptEvent
from models.quizzes import QuizAttempt
from quizzes.deadlines import submit_overdue
from realtime.topics import authorize, parse_topic
from tests.quizzes.conftest import (
    COURSE_ID,
    Clock,
    graded,
    setup_quiz_course,
    use_grading_method,
)
from tests.support.live_reload import (
    Recorder,
    Viewer,
    apply_frame,
    covers,
    delivery_log,
    observed,
    render,
    verify_action,
)
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
    clock: Clock

    @property
    def hub(self):
        return self.app.runtime.hub  # type: ignore[attr-defined]


@pytest.fixture
def grading_method() -> str | None:
    """The midterm's `grading` (None: the default); a test parametrizes it."""
    return None


@pytest.fixture
async def quiz_cast(app, tmp_path, monkeypatch, grading_method) -> AsyncIterator[QuizCast]:
    moved = Clock(monkeypatch)
    if grading_method is not None:
        use_grading_method(monkeypatch, grading_method)
    app.runtime.bind()
    people = await setup_quiz_course(tmp_path / "course")
    viewers = []
    for name, user in zip(("prof", "ta", "ada", "bob"), people, strict=True):
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                              base_url="http://testserver")
        csrf = await browser_login(c, user.email)
        c.headers.update({"X-CSRF-Token": csrf, "HX-Request": "true"})
        viewers.append(Viewer(name, c, user))
    yield QuizCast(app, *viewers, moved)
    for v in viewers:
        await v.client.aclose()


def proctors(cast: QuizCast) -> dict:
    return {cast.ta: [PROCTOR], cast.prof: [PROCTOR]}


async def _start(cast: QuizCast) -> str:
    r = await cast.ada.client.post(f"/courses/{COURSE_ID}/quizzes/midterm/attempt")
    assert r.status_code in (204, 303), r.text  # htmx: HX-Redirect
    attempt = await QuizAttempt.filter(user_id=cast.ada.user.id, block_id="midterm"
                                       ).order_by("-number").first()
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


async def _hand_in(cast: QuizCast, url: str) -> None:
    attempt_id = int(url.rsplit("/", 1)[1])
    r = await cast.ada.client.post(f"/api/v1/quiz-attempts/{attempt_id}/submit")
    assert r.status_code == 202, r.text
    await graded(attempt_id)  # by grading's queue, after the reply: its events too


async def _deadline(cast: QuizCast, url: str) -> None:
    """The time limit passes with the attempt open: a deadline round hands it in (its open
    pages are sent a frame that makes them fetch their own regions), then it is graded."""
    attempt_id = int(url.rsplit("/", 1)[1])
    cast.clock.forward(hours=3)
    assert attempt_id in await submit_overdue()
    await graded(attempt_id)


STEPS = {"autosave": _save, "extra time": _extra_time, "hand in": _hand_in,
         "deadline": _deadline}


@pytest.mark.parametrize("step", list(STEPS))
@covers("quiz.attempt.updated", "quiz.progress")
async def test_a_running_attempt_changes(quiz_cast, step):
    """From another tab or device (or the instructor's accommodation): Ada's panel
    (time left, resume or the graded attempt) and the proctor row follow."""
    cast = quiz_cast
    url = await _start(cast)
    if step in ("hand in", "deadline"):
        await _save(cast, url)
    pages = {cast.ada: [UNIT], cast.bob: [UNIT], **proctors(cast)}
    frames = await verify_action(cast.hub, pages, lambda: STEPS[step](cast, url))
    assert frames[f"bob {UNIT}"] == []
    if step in ("hand in", "deadline"):
        assert any('data-status="graded"' in f for f in frames[f"prof {PROCTOR}"])


async def _extend(cast: QuizCast, url: str) -> None:
    r = await cast.ta.client.post(f"/api/v1/quiz-attempts/{url.rsplit('/', 1)[1]}/extend",
                                  json={"minutes": 20})
    assert r.status_code == 200, r.text


async def _reopen(cast: QuizCast, url: str) -> None:
    r = await cast.ta.client.post(f"/api/v1/quiz-attempts/{url.rsplit('/', 1)[1]}/reopen",
                                  json={"minutes": 20})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("step", ["extend", "reopen"])
@covers("quiz.attempt.updated", "quiz.progress")
async def test_staff_extend_or_reopen_an_attempt(quiz_cast, step):
    """A TA extends Ada's running attempt, or reopens her graded one: her unit page's
    panel (resume, time left), her open attempt page (on its topic: time left, answering
    again) and the proctor pages follow; Bob's page is untouched."""
    cast = quiz_cast
    url = await _start(cast)
    if step == "reopen":
        await _hand_in(cast, url)
    pages = {cast.ada: [UNIT, url], cast.bob: [UNIT], **proctors(cast)}
    action = _extend if step == "extend" else _reopen
    frames = await verify_action(cast.hub, pages, lambda: action(cast, url))
    assert frames[f"bob {UNIT}"] == []
    assert any('data-status="in_progress"' in f for f in frames[f"prof {PROCTOR}"])
    assert any('data-status="in_progress"' in f for f in frames[f"ada {url}"])


@pytest.mark.parametrize("step", [_extra_time, _extend], ids=["extra time", "extend"])
async def test_the_attempt_page_clock_follows_a_moved_deadline(quiz_cast, step):
    """An accommodation or a TA's extension: Ada's open attempt page gets its new time
    left (the header is pushed on the attempt's topic; quiz.js counts down from it)."""
    cast = quiz_cast
    url = await _start(cast)
    frames = await verify_action(cast.hub, {cast.ada: [url]}, lambda: step(cast, url))
    assert any("quiz-countdown" in f for f in frames[f"ada {url}"])


@pytest.mark.parametrize("step", list(STEPS))
@covers("quiz.attempt.updated")
async def test_the_attempt_page(quiz_cast, step):
    """Ada's attempt page (another tab of the same browser) and the instructor's read-only
    view of it follow a save, an accommodation and the hand-in (and its grade) live, on
    the attempt's own topic (the instructor's view fetching its regions after a save and a
    deadline round); Bob may not subscribe to it."""
    cast = quiz_cast
    url = await _start(cast)
    pages = {cast.ada: [url], cast.prof: [url]}
    frames = await verify_action(cast.hub, pages, lambda: STEPS[step](cast, url))
    assert frames[f"ada {url}"] and frames[f"prof {url}"]
    if step == "autosave":
        # Her tab: only what a save changes, the header and that question. The staff view
        # fetches its own regions (not rendered for staff on every save).
        saved = frames[f"ada {url}"][0]
        assert 'id="quiz-attempt-head"' in saved and 'id="quiz-actions"' not in saved
        assert saved.count('class="quiz-question"') == 1
        fetched = frames[f"prof {url}"][0]
        assert "/regions" in fetched and "quiz-question" not in fetched
    if step == "deadline":  # handed in by the round: the pages fetch their own regions
        handed_in = frames[f"ada {url}"][0]
        assert "/regions" in handed_in and "quiz-question" not in handed_in
    attempt_id = int(url.rsplit("/", 1)[1])
    bob = cast.bob.user
    assert await authorize(parse_topic(f"quiz-attempt:{attempt_id}", bob), bob) is None


@covers("quiz.attempt.opened")
async def test_the_attempt_page_learns_another_device_took_over(quiz_cast):
    """Ada opens her attempt on a second device (another browser, its own session): her
    first page gets the new holder (its quiz.js then stops autosaving) and its regions
    equal the second device's fresh page; a save from the first is refused 409. The
    instructor's view shows no holder and gets nothing. (A reload on the first device would
    take the attempt back, so the first page is compared with the second's.)"""
    cast = quiz_cast
    url = await _start(cast)
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=cast.app),
                              base_url="http://testserver")
    await browser_login(other, cast.ada.user.email)
    log, staff = delivery_log(cast.hub), Recorder()
    first, mine = await render(cast.ada.client, url), Recorder()
    topic = f"quiz-attempt:{url.rsplit('/', 1)[1]}"
    await cast.hub.join(mine, topic, "self")  # type: ignore[arg-type]
    await cast.hub.join(staff, topic, "staff")  # type: ignore[arg-type]
    mark = await log.last_seq()
    try:
        assert (await other.get(url)).status_code == 200
        logged = await Event.filter(id__gt=mark, topic=topic)
        observed.update(e.name for e in logged)
        await log.wait_for({e.id for e in logged})
        second = await render(other, url)
    finally:
        await cast.hub.leave(mine)  # type: ignore[arg-type]
        await cast.hub.leave(staff)  # type: ignore[arg-type]
        await other.aclose()
    assert staff.frames == [] and len(mine.frames) == 1
    apply_frame(first, mine.frames[0][1])
    for region in ("quiz-attempt-head", "question-1", "quiz-actions"):
        assert first.by_id(region).outer_html() == second.by_id(region).outer_html()
    assert first.by_id("quiz-attempt").attrs["data-device"] != \
        first.by_id("quiz-attempt-head").attrs["data-holder"]
    r = await cast.ada.client.put(f"/api/v1/quiz-attempts/{url.rsplit('/', 1)[1]}"
                                  "/answers/capital", json={"answer": {"choice": "lyon"}})
    assert r.status_code == 409 and "opened on another device" in r.json()["error"]["message"]


@covers("quiz.progress")
async def test_the_proctor_row_shows_takeovers_from_the_audit_trail(quiz_cast):
    """Ada's attempt is taken over by a second device, then taken back: the proctor pages
    of the TA and the instructor show it live ("taken over ... 2 times, last ... ago"),
    equal to a reload, and the attempt's audit trail has one row per takeover."""
    cast = quiz_cast
    url = await _start(cast)
    attempt_id = int(url.rsplit("/", 1)[1])
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=cast.app),
                              base_url="http://testserver")
    await browser_login(other, cast.ada.user.email)

    async def take_over_and_back() -> None:
        assert (await other.get(url)).status_code == 200
        assert (await cast.ada.client.get(url)).status_code == 200
        assert (await cast.ada.client.get(url)).status_code == 200  # holds it: no change

    try:
        frames = await verify_action(cast.hub, proctors(cast), take_over_and_back)
    finally:
        await other.aclose()
    assert any('data-takeovers="2"' in f and "2 times" in f and "just now" in f
               for f in frames[f"ta {PROCTOR}"])
    trail = await QuizAttemptEvent.filter(attempt_id=attempt_id,
                                          action=AttemptAction.TAKEN_OVER).order_by("id")
    assert [e.detail for e in trail] == [{"takeovers": 1}, {"takeovers": 2}]
    assert all(e.actor_id == cast.ada.user.id for e in trail)
    history = await cast.ta.client.get(f"/courses/{COURSE_ID}/quiz-attempts/{attempt_id}"
                                       "/history")
    assert history.text.count("taken over by another device") == 2


PROGRESS = f"/courses/{COURSE_ID}/progress"


async def _hand_in_a_new_attempt(cast: QuizCast) -> None:
    url = await _start(cast)
    await _hand_in(cast, url)  # nothing answered: 0 points


@pytest.mark.parametrize(("grading_method", "counted"), [
    ("average", "Midterm: 0.5 / 3"), ("first", "Midterm: 1 / 3"), ("last", "Midterm: 0 / 3")])
async def test_a_new_attempt_grade_updates_progress_by_the_grading_method(
        quiz_cast, grading_method, counted):
    """Ada's first attempt got 1 point; her second (0 points) is graded while her progress
    page and the gradebook are open: both show what the quiz's method counts."""
    cast = quiz_cast
    url = await _start(cast)
    await _save(cast, url)  # the capital: 1 of 3
    await _hand_in(cast, url)
    pages = {cast.ada: [PROGRESS], cast.prof: [f"/courses/{COURSE_ID}/gradebook"]}
    frames = await verify_action(cast.hub, pages, lambda: _hand_in_a_new_attempt(cast),
                                 expect_change=grading_method != "first")
    fresh = await cast.ada.client.get(PROGRESS)
    assert counted in fresh.text
    if grading_method != "first":
        assert any(counted in f for f in frames[f"ada {PROGRESS}"])
