"""Taking a quiz: start or resume an attempt, autosave answers, submit (by the student, or
by the server at the deadline). Every change commits with its events (the outbox).

The server's clock decides: an attempt's `deadline_at` is fixed when it starts (moved only
by an accommodation), answers saved after it are refused, and an attempt still open then is
submitted by the server with what was saved (quizzes.deadlines).

Handing in is two steps: the claim that submits (`hand_in`), then the handover that stores
grading's submission (`hand_to_grading`), which claims the attempt again first. A handover
that never finished (its process died in between) is taken over by the deadline
schedule's sweep once a lease has passed (quizzes.deadlines.stalled_handovers).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import uuid4

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from content_store.blocks import block_type
from core import clock
from core.errors import BadInput, CoursewireError, InvalidState, NotFound
from core.i18n import gettext as _
from courses.audience import STAFF, course_audience
from courses.service import Member, require_member
from courses.visibility import require_open_to
from grading.api import submit_answer, validate_answer
from models.courses import Role
from models.quiz_audit import AttemptAction
from models.quizzes import AttemptStatus, QuizAccommodation, QuizAnswer, QuizAttempt
from models.statements import db_values, execute, get_by, rows_where, upsert
from models.users import User
from quizzes import audit, events
from quizzes.attempt_holds import hold, hold_new, opened_on
from quizzes.attempt_page import attempt_data
from quizzes.draw import NotEnoughQuestions, draw_paper, new_seed
from quizzes.exam_access import check_access_code, check_network
from quizzes.group_window import quiz_for_group
from quizzes.presenters import paper_of
from quizzes.quiz_blocks import Quiz, published_quiz
from quizzes.timing import deadline_for

log = logging.getLogger("coursewire.quizzes")

_OPEN = AttemptStatus.IN_PROGRESS


async def start_attempt(user: User, course_id: str, block_id: str) -> tuple[QuizAttempt, bool]:
    """The attempt in progress (False: resumed, on any device), or a new one (True) with
    its own seeded draw. Refused (InvalidState) before the quiz opens, after it closes,
    or once every allowed attempt is used."""
    member, quiz, running, used = await _startable(user, course_id, block_id)
    if running is not None:
        return running, False
    return await _new_attempt(user, member, quiz, used, device=None)


async def open_attempt(user: User, course_id: str, block_id: str, *, device: str,
                       address: str, access_code: object = None) -> tuple[QuizAttempt, bool]:
    """`start_attempt` on this device, which then holds the attempt (a new one from its
    creation: quizzes.attempt_holds). Refused (PermissionDenied) from a network the quiz
    does not allow, and without the quiz's access code unless this device opened the
    attempt before."""
    member, quiz, running, used = await _startable(user, course_id, block_id)
    check_network(quiz.fields, address)
    opened = running is not None and await opened_on(running.id, device)
    if not opened:
        check_access_code(quiz.fields, access_code)
    if running is None:
        attempt, created = await _new_attempt(user, member, quiz, used, device=device)
        if created:  # held by this device from its creation
            return attempt, True
        running = attempt  # another tab started it at the same moment
    await hold(running, device, user.name, opened=opened)
    return running, False


async def _startable(user: User, course_id: str, block_id: str
                     ) -> tuple[Member, Quiz, QuizAttempt | None, int]:
    """What starting or resuming reads, once: the student's role check (NotFound,
    PermissionDenied), the block open to them for submissions, the published quiz, their
    attempt in progress and how many attempts they have made."""
    member = await require_member(user, course_id, Role.STUDENT)
    await require_open_to(member.audience, course_id, block_id)
    quiz = await published_quiz(course_id, block_id)
    running, used = await _attempts_of(user.id, course_id, block_id)
    return member, quiz, running, used


async def _new_attempt(user: User, member: Member, quiz: Quiz, used: int, *,
                       device: str | None) -> tuple[QuizAttempt, bool]:
    """A new attempt (True), held by `device` if given; or the one another tab of the
    student started at the same moment (False: not held here)."""
    quiz = await quiz_for_group(quiz, member.group)
    now = clock.now()
    check_window(quiz, now)
    allowed = quiz.fields.get("max_attempts")
    if allowed is not None and used >= allowed:
        raise InvalidState(_("You have used all %(allowed)s attempt(s) of this quiz.",
                             allowed=allowed),
                           fields={"max_attempts": allowed})
    seed = new_seed()
    try:
        paper = draw_paper(quiz.fields, quiz.banks, seed)
    except NotEnoughQuestions as exc:
        raise InvalidState(_("This quiz cannot be started: %(exc)s", exc=exc)) from None
    extra = await extra_minutes(user.id, quiz.course_id, quiz.block_id)
    try:
        async with in_transaction():
            attempt = await QuizAttempt.create(
                user_id=user.id, course_id=quiz.course_id, block_id=quiz.block_id,
                number=used + 1, seed=seed, paper=[d.to_record() for d in paper],
                started_at=now,
                deadline_at=deadline_for(now, quiz.fields.get("time_limit_minutes"),
                                         quiz.closes_at, extra),
                max_points=quiz.max_points)
            await audit.record(attempt, AttemptAction.STARTED, user.id, at=now)
            held = await hold_new(attempt, device, now) if device is not None else None
            await events.attempt_started(attempt, user.name, held)
    except IntegrityError:  # the same student started in another tab at the same moment
        running = await _in_progress(user.id, quiz.course_id, quiz.block_id)
        if running is None:
            raise InvalidState(_("Another attempt was started at the same moment; "
                                 "reload the page.")) from None
        return running, False
    return attempt, True


def check_window(quiz: Quiz, now: datetime) -> None:
    if quiz.opens_at is not None and now < quiz.opens_at:
        raise InvalidState(_("This quiz opens at %(opens_at)s UTC.",
                             opens_at=format(quiz.opens_at, "%Y-%m-%d %H:%M")),
                           fields={"opens_at": quiz.opens_at.isoformat()})
    if quiz.closes_at is not None and now >= quiz.closes_at:
        raise InvalidState(_("This quiz closed at %(closes_at)s UTC.",
                             closes_at=format(quiz.closes_at, "%Y-%m-%d %H:%M")),
                           fields={"closes_at": quiz.closes_at.isoformat()})


async def _in_progress(user_id: int, course_id: str, block_id: str) -> QuizAttempt | None:
    return await QuizAttempt.filter(user_id=user_id, course_id=course_id, block_id=block_id,
                                    status=_OPEN).order_by("-number").first()


async def _attempts_of(user_id: int, course_id: str, block_id: str
                       ) -> tuple[QuizAttempt | None, int]:
    """The student's attempt in progress at the quiz (the latest, as `_in_progress`) and
    how many attempts they have made, from one read of them all (a quiz's unit panel
    reads the same)."""
    attempts: list[QuizAttempt] = await rows_where(
        QuizAttempt, {"user_id": user_id, "course_id": course_id, "block_id": block_id},
        order=("-number",))
    running = next((a for a in attempts if a.status == _OPEN), None)
    return running, len(attempts)


async def extra_minutes(user_id: int, course_id: str, block_id: str) -> int:
    row: QuizAccommodation | None = await get_by(QuizAccommodation, {
        "user_id": user_id, "course_id": course_id, "block_id": block_id})
    return row.extra_minutes if row is not None else 0


async def save_answer(user: User, attempt_id: int, question_id: str,
                      body: Mapping[str, Any], *, loaded: QuizAttempt | None = None,
                      received_at: datetime | None = None) -> datetime:
    """Autosave one answer (`body` is `{"answer": ...}`; the latest wins); returns when it
    was saved. Refused if it arrived after the deadline or once submitted (InvalidState),
    for a malformed answer (BadInput), and for a question not on this attempt's paper
    (NotFound). Rights come first: a caller who may not write here learns nothing from
    the body. `loaded` is the attempt as the caller already read it for this user
    (require_holder), to save reading it again; the conditional update below decides, not
    this copy. `received_at`: when the request reached the server (core.http.received_at);
    the deadline judges that, so an answer sent in time is not refused for having queued
    behind a busy server (the deadline schedule waits a grace for such answers before it
    hands the attempt in: COURSEWIRE_QUIZ_GRACE_SECONDS, quizzes.timing.GRACE_SECONDS by
    default; one handled after that finds the attempt submitted)."""
    if loaded is not None and loaded.id == attempt_id and loaded.user_id == user.id:
        attempt = loaded
    else:
        attempt = await _own(user, attempt_id)
    drawn = next((d for d in paper_of(attempt) if d.id == question_id), None)
    if drawn is None:
        raise NotFound(_("No question %(question_id)s in this attempt.",
                         question_id=repr(question_id)))
    if "answer" not in body:
        raise BadInput(_('Send {"answer": ...}.'), fields={"answer": "Required."})
    answer = body["answer"]
    kind = drawn.question.get("type", "problem")
    fields = block_type(kind).with_defaults(
        {k: v for k, v in drawn.question.items() if k not in ("id", "tags", "type")})
    validate_answer(kind, fields, answer)
    now = clock.now()
    arrived = min(received_at, now) if received_at is not None else now
    async with in_transaction():
        # The attempt's row first: a submit that committed (or the deadline) wins, and a
        # submit waiting on this row reads the answer saved here.
        # The values in the order of the statement's parameters.
        still_open = await execute(QuizAttempt, _SAVED_IN_TIME, db_values(
            QuizAttempt, {"last_saved_at": now, "id": attempt.id, "status": _OPEN,
                          "deadline_at": arrived}))
        if not still_open:
            raise _closed(attempt, arrived)
        # One statement whether or not the question was answered before (an upsert on
        # the (attempt, question) unique key).
        await upsert(QuizAnswer, {"attempt_id": attempt.id, "question_id": question_id,
                                  "answer": answer, "saved_at": now},
                     conflict=("attempt_id", "question_id"), update=("answer", "saved_at"))
        attempt.last_saved_at = now
        await events.attempt_changed(attempt, user.name, saved=(question_id, answer))
    return now


# The save's rights to write, decided in the database: the attempt still in progress and its
# deadline (if any) not passed; written by hand since every autosave runs it (the ORM's
# form built it anew each time: models/statements.py).
_SAVED_IN_TIME = ('UPDATE "quiz_attempts" SET "last_saved_at" = ? WHERE "id" = ? AND "status" = ? '
                  'AND ("deadline_at" IS NULL OR "deadline_at" > ?)')


def _closed(attempt: QuizAttempt, now: datetime) -> InvalidState:
    if attempt.deadline_at is not None and now >= attempt.deadline_at:
        return InvalidState(_("Time is up: this attempt's deadline has passed, so answers can "
                              "no longer be saved."),
                            fields={"deadline_at": attempt.deadline_at.isoformat()})
    return InvalidState(_("This attempt has been submitted; its answers can no longer change."))


async def submit_attempt(user: User, attempt_id: int, *,
                         loaded: QuizAttempt | None = None) -> QuizAttempt:
    """The student hands the attempt in; grading's queue grades it with the saved answers.
    Returns the attempt as handed in. `loaded`: the attempt as the caller read it, the
    user's own (quizzes.attempt_holds.require_holder's), so it is not read again."""
    attempt = loaded if loaded is not None and loaded.user_id == user.id else await _own(
        user, attempt_id)
    handed_in = await _finish(attempt.id, by_server=False, student=user)
    if not handed_in:
        raise InvalidState(_("This attempt has already been submitted."))
    return handed_in[0]


async def finish_attempt(attempt_id: int, *, by_server: bool) -> bool:
    """Submit an attempt in progress (False if it was not: someone else did first), then
    hand it to grading. On any number of processes, exactly one caller submits it."""
    return bool(await _finish(attempt_id, by_server=by_server))


async def _finish(attempt_id: int, *, by_server: bool,
                  student: User | None = None) -> list[QuizAttempt]:
    handed_in = await hand_in(Q(id=attempt_id), by_server=by_server, student=student)
    await hand_to_grading(handed_in)
    return handed_in


async def hand_in(which: Q, *, by_server: bool,
                  student: User | None = None) -> list[QuizAttempt]:
    """Submit the attempts in progress that `which` selects; returns those this call
    submitted, their students prefetched (`student`: the one student whose attempts
    `which` selects, already read by the caller).

    One conditional UPDATE is the claim, marking what it took with a value of its own, so
    any number of callers in any number of processes each submit an attempt at most once,
    and the claimed rows are read back by that value (UPDATE ... RETURNING is not in the
    ORM). The audit rows are one insert, the events commit with them (the outbox).
    Grading is not here: `hand_to_grading` queues it."""
    now = clock.now()
    token = uuid4().hex
    async with in_transaction():
        claimed = await QuizAttempt.filter(which, status=_OPEN).update(
            status=AttemptStatus.SUBMITTED, submitted_at=now, submitted_by_server=by_server,
            claim=token)
        if not claimed:
            return []
        claimed_rows = QuizAttempt.filter(claim=token).order_by("id")
        if student is None:
            attempts = await claimed_rows.prefetch_related("user")
        else:
            attempts = await claimed_rows
            for attempt in attempts:
                if attempt.user_id != student.id:
                    raise ValueError(f"attempt {attempt.id} is not {student.id}'s")
                attempt.user = student
        if by_server:
            await audit.record_many(attempts, AttemptAction.SUBMITTED_AT_DEADLINE, at=now)
        else:
            await audit.record_many(attempts, AttemptAction.SUBMITTED, at=now, by_student=True)
        await events.attempts_changed(attempts, pages_fetch=by_server)
    return attempts


async def hand_to_grading(attempts: list[QuizAttempt], at_once: int = 1) -> list[int]:
    """Store each handed-in attempt as grading's submission, which queues its grading
    (quizzes.scoring): `at_once` at a time, each waiting on its own round trips. Returns
    the ids of those this call handed over.

    Just before its submission is stored, each attempt is claimed again: a conditional
    UPDATE from the claim the caller read (`attempt.claim`) to one of its own, stamped
    `handover_at`. An attempt claimed by someone else since that read (the deadline
    schedule's sweep took over a handover that stalled: quizzes.deadlines) is skipped, so
    of all the handovers that read the same claim exactly one stores a submission."""
    slots = asyncio.Semaphore(max(1, at_once))
    handed: list[int] = []

    async def submit(attempt: QuizAttempt) -> None:
        async with slots:
            if not await _claim_handover(attempt):
                return
            try:
                await submit_answer(attempt.user, attempt.course_id, attempt.block_id,
                                    {"attempt": attempt.id})
            except CoursewireError as exc:  # e.g. the course ended: submitted, not graded
                log.warning("quiz attempt %s was submitted but not graded: %s", attempt.id,
                            exc)
                # Grading answered: nothing for the sweep to retry.
                await QuizAttempt.filter(id=attempt.id, claim=attempt.claim).update(claim=None)
                return
            handed.append(attempt.id)

    await asyncio.gather(*(submit(a) for a in attempts))
    return sorted(handed)


async def _claim_handover(attempt: QuizAttempt) -> bool:
    token = uuid4().hex
    claimed = await QuizAttempt.filter(
        id=attempt.id, claim=attempt.claim, status=AttemptStatus.SUBMITTED, submission_id=None,
    ).update(claim=token, handover_at=clock.now())
    if claimed:
        attempt.claim = token
    return bool(claimed)


async def _own(user: User, attempt_id: int) -> QuizAttempt:
    attempt = await QuizAttempt.get_or_none(id=attempt_id, user_id=user.id)
    if attempt is None:
        raise NotFound(_("No quiz attempt %(attempt_id)s.", attempt_id=attempt_id))
    return attempt


async def answers_of(attempt_id: int) -> dict[str, Any]:
    rows = await QuizAnswer.filter(attempt_id=attempt_id).values_list("question_id", "answer")
    return dict(rows)


async def attempt_view(viewer: User, attempt_id: int) -> dict[str, Any]:
    """An attempt as JSON for its student, or for the course's staff; NotFound for anyone
    else. Points and per-question results only as the quiz's `review` allows."""
    attempt = await QuizAttempt.get_or_none(id=attempt_id)
    if attempt is None:
        raise NotFound(_("No quiz attempt %(attempt_id)s.", attempt_id=attempt_id))
    staff = await course_audience(attempt.course_id, viewer) == STAFF
    if attempt.user_id != viewer.id and not staff:
        raise NotFound(_("No quiz attempt %(attempt_id)s.", attempt_id=attempt_id))
    return await attempt_data(attempt, staff=staff)
