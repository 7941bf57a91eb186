"""What a quiz's unit panel shows one student: the attempt to resume, or whether a new one
may start (and why not), and their past attempts with points as `review` allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core import clock
from core.errors import InvalidState
from core.i18n import gettext as _
from courses.service import Member
from models.quizzes import AttemptStatus, QuizAttempt
from models.users import User
from quizzes.attempts import check_window
from quizzes.exam_access import needs_access_code
from quizzes.group_window import quiz_for, quiz_for_group
from quizzes.presenters import results_visible
from quizzes.quiz_blocks import published_quiz
from quizzes.timing import seconds_left


@dataclass
class QuizPanel:
    course_id: str
    block_id: str
    running: QuizAttempt | None = None
    seconds_left: int | None = None
    can_start: bool = False
    needs_code: bool = False  # the quiz's access code is asked for (never its value)
    why_not: str = ""
    past: list[dict[str, Any]] = field(default_factory=list)


async def quiz_panel(user: User, course_id: str, block_id: str, *,
                     member: Member | None = None) -> QuizPanel:
    """The panel for `user`; `member` if the caller's role check read it (their group)."""
    quiz = await published_quiz(course_id, block_id)
    quiz = await (quiz_for(quiz, user.id) if member is None
                  else quiz_for_group(quiz, member.group))
    now = clock.now()
    attempts = await QuizAttempt.filter(user_id=user.id, course_id=course_id,
                                        block_id=block_id).order_by("number")
    panel = QuizPanel(course_id, block_id, needs_code=needs_access_code(quiz.fields))
    for attempt in attempts:
        if attempt.status == AttemptStatus.IN_PROGRESS:
            panel.running = attempt
            panel.seconds_left = seconds_left(attempt.deadline_at, now)
            continue
        shown = results_visible(quiz.fields["review"], attempt, quiz.closes_at, now,
                                staff=False)
        panel.past.append({"id": attempt.id, "number": attempt.number,
                           "status": attempt.status.value,
                           "points": attempt.points if shown else None,
                           "max_points": attempt.max_points})
    if panel.running is None:
        allowed = quiz.fields.get("max_attempts")
        try:
            check_window(quiz, now)
            if allowed is not None and len(attempts) >= allowed:
                raise InvalidState(_("You have used all %(allowed)s attempt(s) of this quiz.",
                                     allowed=allowed))
            panel.can_start = True
        except InvalidState as exc:
            panel.why_not = exc.message
    return panel
