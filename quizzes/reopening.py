"""Staff reopen a handed-in attempt or extend a running one (audited; the student's open
attempt page, their unit page and the proctor page follow live).

Reopening puts the attempt back in progress with a new deadline, `minutes` from now, and
withdraws its grading submission (its score stops counting until it is handed in again,
when grading scores it afresh). Extending moves a running attempt's deadline later.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from core import clock
from core.errors import BadInput, InvalidState
from core.i18n import gettext as _
from grading.api import announce_submission, withdraw_submission
from models.quiz_audit import AttemptAction
from models.quizzes import AttemptStatus, QuizAttempt
from models.users import User
from quizzes import audit, events

MAX_MINUTES = 7 * 24 * 60
_HANDED_IN = (AttemptStatus.SUBMITTED, AttemptStatus.GRADED)


def _minutes(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) \
            or not 1 <= value <= MAX_MINUTES:
        raise BadInput(_("minutes must be a whole number from 1 to %(maximum)s.",
                         maximum=MAX_MINUTES),
                       fields={"minutes": _("Give whole minutes.")})
    return value


def minutes_from_form(raw: str) -> object:
    """A form's `minutes` as a number where it is one (else as typed, to be refused)."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else raw


async def reopen_attempt(staff: User, attempt_id: int, minutes: object) -> QuizAttempt:
    """Put a handed-in attempt back in progress until `minutes` from now (TA or
    instructor). Refused while the student has another attempt in progress."""
    attempt = await audit.staff_attempt(staff, attempt_id)
    span = _minutes(minutes)
    if attempt.status not in _HANDED_IN:
        raise InvalidState(_("This attempt is still in progress: extend it instead."))
    if await QuizAttempt.filter(user_id=attempt.user_id, course_id=attempt.course_id,
                                block_id=attempt.block_id,
                                status=AttemptStatus.IN_PROGRESS).exists():
        raise InvalidState(_("%(name)s has another attempt of this quiz in progress; it must be "
                             "handed in first.", name=attempt.user.name))
    now = clock.now()
    async with in_transaction() as connection:
        reopened = await QuizAttempt.filter(id=attempt.id, status__in=_HANDED_IN).update(
            status=AttemptStatus.IN_PROGRESS, deadline_at=now + timedelta(minutes=span),
            submitted_at=None, submitted_by_server=False, submission_id=None, points=None,
            results=None)
        if not reopened:
            raise InvalidState(_("This attempt changed meanwhile; reload and try again."))
        if attempt.submission_id is not None:
            await withdraw_submission(attempt.submission_id, "The quiz attempt was reopened "
                                      "by staff.", at=now, connection=connection)
            await announce_submission(attempt.submission_id, graded=True)
        fresh = await QuizAttempt.get(id=attempt.id)
        await audit.record(fresh, AttemptAction.REOPENED, staff.id, at=now, minutes=span)
        await events.attempt_changed(fresh, attempt.user.name)
    return fresh


async def extend_attempt(staff: User, attempt_id: int, minutes: object) -> QuizAttempt:
    """Move a running attempt's deadline `minutes` later (TA or instructor)."""
    attempt = await audit.staff_attempt(staff, attempt_id)
    span = _minutes(minutes)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise InvalidState(_("This attempt has been handed in: reopen it instead."))
    if attempt.deadline_at is None:
        raise InvalidState(_("This attempt has no deadline to extend."))
    now = clock.now()
    async with in_transaction():
        deadline = max(attempt.deadline_at, now) + timedelta(minutes=span)
        moved = await QuizAttempt.filter(id=attempt.id, status=AttemptStatus.IN_PROGRESS
                                         ).update(deadline_at=deadline)
        if not moved:
            raise InvalidState(_("This attempt was handed in meanwhile: reopen it instead."))
        attempt.deadline_at = deadline
        await audit.record(attempt, AttemptAction.EXTENDED, staff.id, at=now, minutes=span)
        await events.attempt_changed(attempt, attempt.user.name)
    return attempt


def staff_action_json(attempt: QuizAttempt) -> dict[str, Any]:
    return {"id": attempt.id, "status": attempt.status.value,
            "deadline_at": attempt.deadline_at.isoformat() if attempt.deadline_at else None}
