"""The audit trail of quiz attempts: every state change (started, submitted by the
student or by the server at the deadline, graded, reopened, extended, accommodation
changed) with who did it and when. Written inside the change's transaction, so a change
is never without its row; read by the course's staff only, one attempt at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core import clock
from core.errors import NotFound
from core.i18n import gettext as _
from core.paging import PageRequest
from courses.service import require_role
from models.courses import Role
from models.quiz_audit import AttemptAction, QuizAttemptEvent
from models.quizzes import QuizAttempt
from models.users import User

HISTORY_LIMIT = 50
HISTORY_MAX = 200


async def record(attempt: QuizAttempt, action: AttemptAction, actor_id: int | None, *,
                 at: datetime | None = None, **detail: Any) -> QuizAttemptEvent:
    """One row of `attempt`'s history (`actor_id` None: the server did it), with the
    deadline the change left. Call inside the change's transaction."""
    return await QuizAttemptEvent.create(
        attempt_id=attempt.id, action=action, actor_id=actor_id, at=at or clock.now(),
        deadline_at=attempt.deadline_at, detail=detail or None)


async def record_many(attempts: list[QuizAttempt], action: AttemptAction, *, at: datetime,
                      by_student: bool = False) -> None:
    """One row of each attempt's history in one insert, done by the server or
    (`by_student`) by each attempt's own student. Call inside the change's transaction."""
    await QuizAttemptEvent.bulk_create([
        QuizAttemptEvent(attempt_id=a.id, action=action, at=at, deadline_at=a.deadline_at,
                         actor_id=a.user_id if by_student else None)
        for a in attempts])


async def staff_attempt(viewer: User, attempt_id: int) -> QuizAttempt:
    """The attempt, if `viewer` is staff (TA or instructor) of its course: NotFound for
    an unknown attempt, PermissionDenied for a student (their own attempt included)."""
    attempt = await QuizAttempt.get_or_none(id=attempt_id).prefetch_related("user")
    if attempt is None:
        raise NotFound(_("No quiz attempt %(attempt_id)s.", attempt_id=attempt_id))
    await require_role(viewer, attempt.course_id, Role.TA)
    return attempt


async def attempt_history(viewer: User, attempt_id: int, page: PageRequest
                          ) -> tuple[list[QuizAttemptEvent], tuple[int, ...] | None]:
    """One page of an attempt's history, oldest first, and the next page's key."""
    await staff_attempt(viewer, attempt_id)
    key = page.key(1)
    query = QuizAttemptEvent.filter(attempt_id=attempt_id)
    if key is not None:
        query = query.filter(id__gt=key[0])
    rows = await query.order_by("id").limit(page.limit + 1).prefetch_related("actor")
    more = len(rows) > page.limit
    rows = rows[:page.limit]
    return rows, (rows[-1].id,) if more else None


def history_json(row: QuizAttemptEvent) -> dict[str, Any]:
    actor = row.actor  # prefetched
    return {"id": row.id, "action": row.action.value,
            "actor": {"id": actor.id, "name": actor.name} if actor is not None else None,
            "at": row.at.isoformat(),
            "deadline_at": row.deadline_at.isoformat() if row.deadline_at else None,
            "detail": row.detail or {}}
