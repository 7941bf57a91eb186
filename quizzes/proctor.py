"""The proctor view: one row per student of the course for one quiz (not started, in
progress with its last save and deadline, submitted, graded), kept live by quiz.progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.courses import Membership, Role
from models.quizzes import QuizAttempt


@dataclass(frozen=True)
class ProctorRow:
    course_id: str
    block_id: str
    user_id: int
    name: str
    status: str = "not_started"  # or the latest attempt's status
    number: int | None = None
    started_at: datetime | None = None
    last_saved_at: datetime | None = None
    deadline_at: datetime | None = None
    submitted_at: datetime | None = None
    by_server: bool = False
    attempt_id: int | None = None


def row_for(attempt: QuizAttempt, name: str) -> ProctorRow:
    return ProctorRow(attempt.course_id, attempt.block_id, attempt.user_id, name,
                      attempt.status.value, attempt.number, attempt.started_at,
                      attempt.last_saved_at, attempt.deadline_at, attempt.submitted_at,
                      attempt.submitted_by_server, attempt.id)


async def proctor_rows(course_id: str, block_id: str) -> list[ProctorRow]:
    """Every student of the course, by name, with their latest attempt at the quiz."""
    members = await Membership.filter(course_id=course_id, role=Role.STUDENT
                                      ).prefetch_related("user")
    latest: dict[int, QuizAttempt] = {}
    for attempt in await QuizAttempt.filter(course_id=course_id, block_id=block_id
                                            ).order_by("number"):
        latest[attempt.user_id] = attempt
    rows = [row_for(latest[m.user_id], m.user.name) if m.user_id in latest
            else ProctorRow(course_id, block_id, m.user_id, m.user.name) for m in members]
    return sorted(rows, key=lambda r: (r.name.lower(), r.user_id))
