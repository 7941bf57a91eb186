"""The attempt page's live regions (issue 14): its header (quiz title, status, time left,
outcome, the device holding it), each question with its saved answer, and the hand-in
button. The page and every pushed frame render them here, so a page kept open equals a
fresh load (staff extending or reopening the attempt included).

They travel on the attempt's own topic, `quiz-attempt:<id>`, which only its student
(audience `self`: editable while in progress) and the course's staff (`staff`: read-only,
results always shown) may read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from core import clock
from core.errors import NotFound
from core.ids import parse_id
from core.templating import render
from courses.audience import STAFF, course_audience
from models.quiz_integrity import AttemptHold
from models.quizzes import AttemptStatus, QuizAnswer, QuizAttempt
from models.users import User
from quizzes.presenters import attempt_json, results_visible
from quizzes.quiz_blocks import published_quiz, quiz_title
from realtime.topics import Topic

SELF = "self"


async def attempt_data(attempt: QuizAttempt, *, staff: bool,
                       answers: dict[str, Any] | None = None) -> dict[str, Any]:
    """The attempt as JSON for its student (staff=False) or the course's staff: points and
    per-question results only as the quiz's `review` allows. `answers` (question id ->
    answer) when the caller has just read them."""
    now = clock.now()
    try:
        quiz = await published_quiz(attempt.course_id, attempt.block_id)
        review, closes_at = quiz.fields["review"], quiz.closes_at
    except NotFound:  # the quiz was unpublished since: nothing more to review
        review, closes_at = "never", None
    show = results_visible(review, attempt, closes_at, now, staff=staff)
    if answers is None:
        answers = await _answers(attempt)
    return attempt_json(attempt, answers, now, show_results=show)


async def _answers(attempt: QuizAttempt) -> dict[str, Any]:
    return dict(await QuizAnswer.filter(attempt_id=attempt.id).values_list(
        "question_id", "answer"))


@dataclass(frozen=True)
class Regions:
    """What the attempt page's live regions show to one audience, read from the database;
    `html` renders them without reading more (so a publisher can render them in every
    language, realtime.publish.in_every_language)."""
    data: dict[str, Any]
    editable: bool
    holder: str
    quiz_title: str

    def html(self, *, oob: bool, saved: str | None = None) -> Markup:
        """Every region; or, for an autosave of question `saved` (oob only), what a save
        changes: the header (when it was saved, the holder) and that question. The other
        regions are as the last frame or the page left them, so the page still equals a
        fresh load, and each save renders two regions instead of all of them (rendering
        them all for both audiences in every language was a quarter of an app process's
        CPU in the exam storm's autosaves, py-spy)."""
        parts = [render("quizzes/_attempt_head.html", attempt=self.data,
                        editable=self.editable, holder=self.holder, oob=oob,
                        quiz_title=self.quiz_title)]
        parts += [render("quizzes/_attempt_question.html", q=q, number=number,
                         attempt=self.data, editable=self.editable, oob=oob)
                  for number, q in enumerate(self.data["questions"], 1)
                  if saved is None or q["id"] == saved]
        if saved is None:
            parts.append(render("quizzes/_attempt_actions.html", editable=self.editable,
                                oob=oob))
        return Markup("".join(parts))


async def read_regions(attempt: QuizAttempt, audience: str, *,
                       answers: dict[str, Any] | None = None,
                       holder: str | None = None) -> Regions:
    """The live regions of the attempt page as `audience` sees them (`answers` and the
    holding device, "" for none, when the caller has read them inside its transaction)."""
    data = await attempt_data(attempt, staff=audience != SELF, answers=answers)
    editable = audience == SELF and attempt.status == AttemptStatus.IN_PROGRESS
    if not editable:
        holder = ""
    elif holder is None:
        holder = (await AttemptHold.filter(attempt_id=attempt.id).values_list(
            "device", flat=True) or [""])[0]
    return Regions(data, editable, holder,
                   await quiz_title(attempt.course_id, attempt.block_id))


async def attempt_regions(attempt: QuizAttempt, audience: str, *, oob: bool,
                          answers: dict[str, Any] | None = None,
                          holder: str | None = None) -> Markup:
    """Every live region of the attempt page as `audience` sees it (see read_regions)."""
    return (await read_regions(attempt, audience, answers=answers, holder=holder)).html(
        oob=oob)


async def attempt_frames(attempt: QuizAttempt, holder: str, *,
                         answers: dict[str, Any] | None = None) -> dict[str, Regions]:
    """What each audience of `quiz-attempt:<id>` is sent after any change, to render with
    `Regions.html` (the answers read once for both, unless the caller read them; `holder`
    the device holding it, "" for none)."""
    if answers is None:
        answers = await _answers(attempt)
    return {audience: await read_regions(attempt, audience, answers=answers, holder=holder)
            for audience in (SELF, STAFF)}


def attempt_topic(attempt_id: int) -> str:
    return f"quiz-attempt:{attempt_id}"


async def authorize_attempt(topic: Topic, user: User) -> str | None:
    """Its student reads an attempt's topic as `self`, the course's staff as `staff`."""
    attempt_id = parse_id(topic.key)
    if attempt_id is None:
        return None
    row = await QuizAttempt.filter(id=attempt_id).values_list("user_id", "course_id")
    if not row:
        return None
    owner, course_id = row[0]
    if owner == user.id:
        return SELF
    return STAFF if await course_audience(course_id, user) == STAFF else None


async def resync_attempt(topic: Topic, user: User, audience: str) -> str:
    attempt_id = parse_id(topic.key)
    attempt = await QuizAttempt.get_or_none(id=attempt_id) if attempt_id else None
    if attempt is None:
        return ""
    return str(await attempt_regions(attempt, audience, oob=True))
