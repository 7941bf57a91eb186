"""The quiz events: one definition each of topic, audiences and payload."""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Any, TypedDict

from core.event_types import EventType
from core.i18n import current_language
from core.templating import render
from courses.audience import STAFF
from models.quiz_integrity import AttemptHold
from models.quizzes import QuizAnswer, QuizAttempt
from models.statements import get_by
from quizzes.attempt_page import SELF, Regions, attempt_frames, attempt_topic, read_regions
from quizzes.proctor import row_for, row_labels
from realtime.publish import in_every_language, publish


class AttemptPayload(TypedDict):
    id: int
    course_id: str
    block_id: str
    status: str  # in_progress | submitted | graded
    deadline_at: str | None
    last_saved_at: str | None
    submitted_at: str | None


class OpenedPayload(TypedDict):
    id: int
    device: str  # the public id of the device that now holds the attempt


class ProgressPayload(AttemptPayload):
    user_id: int
    name: str
    started_at: str
    takeovers: int  # how often another device of the student took the attempt over
    connected: bool  # whether a page of the attempt is open and connected (any device)


ATTEMPT_UPDATED = EventType(
    "quiz.attempt.updated", "One of your quiz attempts changed: an answer was saved (from "
    "any tab or device), its deadline moved (accommodation, extension), it was submitted, "
    "graded or reopened by staff.", AttemptPayload,
    ("user:me", "quiz-attempt:<attempt_id>"))
OPENED = EventType(
    "quiz.attempt.opened", "The attempt in progress was opened on another device or "
    "browser, which now holds it: only that one may save or hand in (the attempt page of "
    "the others says so and stops autosaving).", OpenedPayload, ("quiz-attempt:<attempt_id>",))
PROGRESS = EventType(
    "quiz.progress", "A student started, saved, or submitted a quiz attempt, it was "
    "graded or reopened, its deadline moved, another of the student's devices took it "
    "over, or the student's attempt page opened or closed (the proctor view).", ProgressPayload,
    ("course:<course_id>:staff",))
EVENT_TYPES = (ATTEMPT_UPDATED, OPENED, PROGRESS)

# A deadline round hands in thousands of attempts at once, and each open attempt page and
# unit page then fetches what it shows: spread over this window (by attempt and student id),
# so 9,000 pages do not ask in the same instant. The unit panel's frame is rendered once per
# step of the spread, per quiz and language.
CLOSE_FETCH_SPREAD_MS = 5000
CLOSE_FETCH_STEP_MS = 250


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def attempt_payload(attempt: QuizAttempt) -> AttemptPayload:
    return {"id": attempt.id, "course_id": attempt.course_id, "block_id": attempt.block_id,
            "status": attempt.status.value, "deadline_at": _iso(attempt.deadline_at),
            "last_saved_at": _iso(attempt.last_saved_at),
            "submitted_at": _iso(attempt.submitted_at)}


async def attempt_changed(attempt: QuizAttempt, student_name: str, *,
                          saved: tuple[str, Any] | None = None,
                          answers: dict[str, Any] | None = None) -> None:
    """`quiz.attempt.updated` to the student's other tabs and devices (an open unit page
    fetches the quiz's panel again; an open attempt page gets its regions, on the
    attempt's topic, for the student and for staff), and `quiz.progress` to the course
    staff (with the proctor page's row for the student). Call inside the transaction that
    made the change (the outbox). `saved`: the change is an autosave, (question id,
    answer), and the attempt page is sent only the regions a save changes
    (`Regions.html`), which need no other answer: none is read. `answers`: all of the
    attempt's, when the caller has read them and they cannot have changed since (a
    handed-in attempt's, as grading reads them)."""
    # Read here, inside the change's transaction: after a save's conditional update, which
    # waits for a takeover holding the attempt's row, so it never names a device that lost.
    hold: AttemptHold | None = await get_by(AttemptHold, {"attempt_id": attempt.id})
    if saved is None:
        await _attempt_and_progress(attempt, student_name, hold, answers)
    else:
        question_id, answer = saved
        await _attempt_and_progress(attempt, student_name, hold, {question_id: answer},
                                    saved=question_id)


async def attempts_changed(attempts: list[QuizAttempt], *, pages_fetch: bool = False) -> None:
    """`attempt_changed` for many attempts (a hand-in), their students prefetched
    (`attempt.user`): the holds read in one query, not per attempt. Call inside the
    transaction that made the change.

    `pages_fetch` (a deadline round, thousands at a synchronized close): each attempt's
    open pages are sent a small frame that makes them fetch their own regions
    (`_attempt_reload`), in their viewer's language, rather than every attempt's regions
    rendered here for both audiences in every language. Rendered here, they were half
    the close's time (py-spy, BENCHMARKS.md); fetched, the work happens only for pages that
    are open, spread over the app processes."""
    if not attempts:
        return
    ids = [a.id for a in attempts]
    holds = {h.attempt_id: h for h in await AttemptHold.filter(attempt_id__in=ids)}
    answers: dict[int, dict[str, Any]] = {}
    if not pages_fetch:
        answers = {i: {} for i in ids}
        for attempt_id, question_id, answer in await QuizAnswer.filter(
                attempt_id__in=ids).values_list("attempt_id", "question_id", "answer"):
            answers[attempt_id][question_id] = answer
    for attempt in attempts:
        hold = holds.get(attempt.id)
        if pages_fetch:
            await _to_student(attempt, delay_ms=close_fetch_delay(attempt.user_id))
            await publish(attempt_topic(attempt.id), ATTEMPT_UPDATED.name,
                          {"*": attempt_payload(attempt)}, in_every_language(
                              partial(_attempt_reload, attempt, close_fetch_delay(attempt.id))))
            await progress_changed(attempt, attempt.user.name, hold)
        else:
            await _attempt_and_progress(attempt, attempt.user.name, hold, answers[attempt.id])


def close_fetch_delay(key: int) -> int:
    """How long a page waits before its fetch after a close, in ms: spread evenly over
    `CLOSE_FETCH_SPREAD_MS` by `key` (an id), in steps of `CLOSE_FETCH_STEP_MS`."""
    spread = (key * 7919) % CLOSE_FETCH_SPREAD_MS  # 7919 is prime: consecutive ids spread
    return spread // CLOSE_FETCH_STEP_MS * CLOSE_FETCH_STEP_MS


def _attempt_reload(attempt: QuizAttempt, delay_ms: int = 0) -> dict[str, str]:
    html = render("quizzes/_attempt_reload.html", attempt=attempt, delay_ms=delay_ms)
    return {SELF: html, STAFF: html}


@lru_cache(maxsize=256)
def _panel_reload(course_id: str, block_id: str, language: str, delay_ms: int = 0) -> str:
    """The same for every attempt of a quiz (and delay): a close renders it once per step
    of the spread, not per attempt."""
    return render("quizzes/_panel_reload.html", course_id=course_id, block_id=block_id,
                  delay_ms=delay_ms)


async def _to_student(attempt: QuizAttempt, *, delay_ms: int = 0,
                      panel: bool = True) -> None:
    """The student's open pages: the payload, and the unit panel fetches itself again
    (`delay_ms` later: a close spreads them). `panel=False` (an autosave, which changes
    nothing the panel shows): the payload only, so an open unit page does not fetch its
    panel on every save."""
    topic, payload = f"user:{attempt.user_id}", {"*": attempt_payload(attempt)}
    if not panel:
        await publish(topic, ATTEMPT_UPDATED.name, payload)
        return
    await publish(topic, ATTEMPT_UPDATED.name, payload, in_every_language(lambda: {
        SELF: _panel_reload(attempt.course_id, attempt.block_id, current_language(),
                            delay_ms)}))


async def _attempt_and_progress(attempt: QuizAttempt, student_name: str,
                                hold: AttemptHold | None,
                                answers: dict[str, Any] | None, *,
                                saved: str | None = None) -> None:
    """The attempt's change to its student's pages (the unit panel reloads), its own page
    and the proctor page: what `attempt_changed` and `attempts_changed` both publish."""
    await _to_student(attempt, panel=saved is None)
    holder = hold.device if hold is not None else ""
    if saved is None:
        regions = await attempt_frames(attempt, holder, answers=answers)
        frames = partial(_regions_frames, regions)
    else:
        # An autosave, hundreds a second in an exam: the student's other tabs get the
        # regions, and a staff view of the attempt (rarely open) fetches its own, rather
        # than rendered here for staff in every language on every save (save_cost.py).
        shown = await read_regions(attempt, SELF, answers=answers, holder=holder)
        frames = partial(_saved_frames, attempt, shown, saved)
    await publish(attempt_topic(attempt.id), ATTEMPT_UPDATED.name,
                  {"*": attempt_payload(attempt)}, in_every_language(frames))
    await progress_changed(attempt, student_name, hold)


def _regions_frames(regions: dict[str, Regions]) -> dict[str, str]:
    return {audience: str(shown.html(oob=True)) for audience, shown in regions.items()}


def _saved_frames(attempt: QuizAttempt, shown: Regions, saved: str) -> dict[str, str]:
    return {SELF: str(shown.html(oob=True, saved=saved)),
            STAFF: _attempt_reload(attempt)[STAFF]}


async def progress_changed(attempt: QuizAttempt, student_name: str,
                           hold: AttemptHold | None) -> None:
    """`quiz.progress` with the proctor page's row for the attempt's student (`hold`: its
    AttemptHold row, for the takeovers). Call inside the transaction."""
    progress: ProgressPayload = {**attempt_payload(attempt), "user_id": attempt.user_id,
                                 "name": student_name,
                                 "started_at": attempt.started_at.isoformat(),
                                 "takeovers": hold.takeovers if hold is not None else 0,
                                 "connected": hold.connected if hold is not None else False}
    row = row_for(attempt, student_name, hold)
    await publish(f"course:{attempt.course_id}:staff", PROGRESS.name, {"staff": progress},
                  in_every_language(lambda: {"staff": render(
                      "quizzes/_proctor_row.html", row=row, oob=True, labels=row_labels())}))


async def attempt_opened(attempt: QuizAttempt, device: str, *,
                         answers: dict[str, Any] | None = None) -> None:
    """`quiz.attempt.opened`: the attempt's pages learn which device holds it now (its
    student's only: staff pages show no holder). Call inside the transaction, after
    `device` took the hold; `answers` if the caller knows them."""
    payload: OpenedPayload = {"id": attempt.id, "device": device}
    regions = await read_regions(attempt, SELF, answers=answers, holder=device)
    await publish(attempt_topic(attempt.id), OPENED.name, {"self": payload},
                  in_every_language(lambda: {"self": str(regions.html(oob=True))}))


async def attempt_started(attempt: QuizAttempt, student_name: str,
                          hold: AttemptHold | None) -> None:
    """`attempt_changed` for an attempt just created in this transaction, which has no
    answers yet and no hold but `hold` (the one its caller wrote, if it started on a
    device: then also `quiz.attempt.opened`, as a later opening would send).

    The attempt's own topic gets the JSON payloads only: no page can show an attempt that
    does not exist yet, and one opened after this commits renders it from the database
    (and resyncs on a reconnect). Rendering its regions for both audiences here was a third
    of a start's CPU in the exam's start storm (bench/save_cost.py --profile)."""
    await _to_student(attempt)
    await publish(attempt_topic(attempt.id), ATTEMPT_UPDATED.name,
                  {"*": attempt_payload(attempt)})
    await progress_changed(attempt, student_name, hold)
    if hold is not None:
        opened: OpenedPayload = {"id": attempt.id, "device": hold.device}
        await publish(attempt_topic(attempt.id), OPENED.name, {"self": opened})
