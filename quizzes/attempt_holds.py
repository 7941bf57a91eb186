"""One device at a time per attempt (issue 14, docs/quizzes.md "Exam integrity").

The rule: an attempt in progress is held by the *last device that opened it*; only that
device may save answers or hand it in, and a save or hand-in from any other is refused 409
(what it saved before stays saved). A device is one browser's login session (all its tabs
share it; each log-in starts a new one) or one API bearer token. Opening means starting or
resuming (the unit panel, or `POST .../attempts`: quizzes.attempts.open_attempt) or
loading the attempt page; doing so from a second device takes the attempt over, and the
first device's pages are told at once (`quiz.attempt.opened`) and stop autosaving.
Opening it again on the first device takes it back. The first opening on a device needs
the quiz's access code, if it has one; every opening, save and hand-in needs an allowed
network (quizzes.exam_access).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from starlette.requests import HTTPConnection
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from accounts.session import bearer_token
from core import clock
from core.errors import Conflict, NotFound
from core.i18n import gettext as _
from models.quiz_audit import AttemptAction
from models.quiz_integrity import AttemptDevice, AttemptHold
from models.quizzes import AttemptStatus, QuizAttempt
from models.statements import get_with
from models.users import User
from quizzes import audit, events
from quizzes.exam_access import check_network
from quizzes.quiz_blocks import published_quiz

_DEVICE_KEY = "quiz_device"


def taken_over() -> str:
    """The refusal for a device whose attempt another device now holds."""
    return _("This attempt was opened on another device or browser, which now holds it: "
             "continue there, or reload this page to continue here. Everything saved so "
             "far is kept.")


def device_of(conn: HTTPConnection) -> str:
    """The public id of the device asking (a hash: the secret it is made from stays in the
    signed session cookie or the bearer token)."""
    token = bearer_token(conn)
    if token is not None:
        secret = "token:" + token
    elif "session" not in conn.scope:  # no cookie session at all: one shared device
        secret = "no-session"
    else:
        secret = conn.session.get(_DEVICE_KEY)
        if not isinstance(secret, str):
            secret = conn.session[_DEVICE_KEY] = secrets.token_urlsafe(24)
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


async def reopen_attempt(attempt: QuizAttempt, device: str, address: str,
                         student_name: str) -> bool:
    """The attempt page is loaded by its student: this device holds the attempt from now
    on. False (nothing changed) if the device must first give the quiz's access code."""
    try:
        quiz = await published_quiz(attempt.course_id, attempt.block_id)
    except NotFound:  # unpublished since it started: its page still shows it
        quiz = None
    if quiz is not None:
        check_network(quiz.fields, address)
        if quiz.fields.get("access_code") and not await opened_on(attempt.id, device):
            return False
    await hold(attempt, device, student_name)
    return True


async def opened_on(attempt_id: int, device: str) -> bool:
    return await AttemptDevice.exists(attempt_id=attempt_id, device=device)


async def hold(attempt: QuizAttempt, device: str, student_name: str, *,
               opened: bool = False) -> bool:
    """`device` holds the attempt (in progress) from now on; True if it took it over from
    another device, whose pages are then told (in the same transaction: the outbox).
    `opened`: the caller found that `device` opened the attempt before (`opened_on`),
    which stays so (its row goes only with the student's personal data)."""
    now = clock.now()
    async with in_transaction():
        # The attempt's row serializes openings of one attempt on every process.
        locked = await QuizAttempt.filter(id=attempt.id, status=AttemptStatus.IN_PROGRESS
                                          ).select_for_update().first()
        if locked is None:
            return False
        if not opened and not await opened_on(attempt.id, device):
            await AttemptDevice.create(attempt_id=attempt.id, device=device, opened_at=now)
        current = await AttemptHold.get_or_none(attempt_id=attempt.id)
        if current is not None and current.device == device:
            return False
        if current is None:
            await AttemptHold.create(attempt_id=attempt.id, device=device, taken_at=now)
        else:
            await AttemptHold.filter(id=current.id).update(
                device=device, taken_at=now, takeovers=F("takeovers") + 1)
            current.device, current.taken_at = device, now
            current.takeovers += 1  # the row is locked with the attempt's: this is its value
            await audit.record(locked, AttemptAction.TAKEN_OVER, locked.user_id, at=now,
                               takeovers=current.takeovers)
            await events.progress_changed(locked, student_name, current)
        await events.attempt_opened(locked, device)
    return current is not None


async def hold_new(attempt: QuizAttempt, device: str, at: datetime) -> AttemptHold:
    """The device that starts an attempt holds it: call inside the transaction that
    creates the attempt, which no other device can have opened yet (so nothing is read
    or locked). Its events are the caller's (quizzes.events.attempt_started)."""
    await AttemptDevice.create(attempt_id=attempt.id, device=device, opened_at=at)
    return await AttemptHold.create(attempt_id=attempt.id, device=device, taken_at=at)


async def require_holder(user: User, attempt_id: int, *, device: str,
                         address: str) -> QuizAttempt | None:
    """Before a save or hand-in: refused (Conflict) unless `device` holds the attempt, and
    (PermissionDenied) from a network the quiz does not allow. An attempt that is not the
    user's, or not in progress, passes: the save or submit itself refuses it, so a caller
    learns nothing here that it would not learn there. Returns the attempt as read here
    (None if it is not the user's in progress), for the save to use instead of re-reading."""
    # One query for both in the usual case (every attempt started on a device is held):
    # the hold with its attempt; an attempt with no hold is read alone.
    hold: AttemptHold | None = await get_with(AttemptHold, "attempt", {"attempt_id": attempt_id})
    if hold is not None:
        attempt, holder = hold.attempt, hold.device
    else:
        attempt, holder = await QuizAttempt.get_or_none(id=attempt_id), None
    if (attempt is None or attempt.user_id != user.id
            or attempt.status != AttemptStatus.IN_PROGRESS):
        return None
    try:
        quiz = await published_quiz(attempt.course_id, attempt.block_id)
        check_network(quiz.fields, address)
    except NotFound:  # unpublished since it started: the attempt keeps its own rules
        pass
    if holder is not None and holder != device:
        raise Conflict(taken_over(), fields={"attempt": "held by another device"})
    return attempt
