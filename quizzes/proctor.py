"""The proctor view: one row per student of the course for one quiz (not started, in
progress with its last save, deadline and time left, handing in once the deadline passed,
submitted, graded; whether the attempt's page is open; how often another device took the
attempt over, and when last), kept live by quiz.progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from core import clock
from core.i18n import gettext as _
from models.courses import Membership, Role
from models.quiz_integrity import AttemptHold
from models.quizzes import AttemptStatus, QuizAttempt
from quizzes.timing import seconds_left


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
    takeovers: int = 0  # how often another device of the student took the attempt over
    taken_over_at: datetime | None = None  # the latest of them
    connected: bool = False  # a page of the attempt is open (quizzes.presence)
    # Whole seconds to the deadline of an attempt in progress when the row was read (0 once
    # it passed: "handing in" until the server hands it in, after the grace); None without
    # a deadline or once handed in. The page counts it down (static/proctor.js).
    seconds_left: int | None = None

    @property
    def handing_in(self) -> bool:
        return self.seconds_left == 0


class HoldView(NamedTuple):
    """What a row reads of an attempt's AttemptHold, read as plain values (a page lists
    thousands: no model objects for them)."""

    takeovers: int
    taken_at: datetime
    connected: bool


def row_for(attempt: QuizAttempt, name: str, hold: AttemptHold | HoldView | None,
            now: datetime | None = None) -> ProctorRow:
    """The row of `attempt`; `hold` is its AttemptHold row (None: never opened since holds
    began). Each takeover counted there is also an audit row (AttemptAction.TAKEN_OVER)
    written in the same transaction, so the two always agree; the row reads the hold
    because the save path reads it anyway (no extra statement per save)."""
    takeovers = hold.takeovers if hold is not None else 0
    left = (seconds_left(attempt.deadline_at, now or clock.now())
            if attempt.status == AttemptStatus.IN_PROGRESS else None)
    return ProctorRow(attempt.course_id, attempt.block_id, attempt.user_id, name,
                      attempt.status.value, attempt.number, attempt.started_at,
                      attempt.last_saved_at, attempt.deadline_at, attempt.submitted_at,
                      attempt.submitted_by_server, attempt.id, takeovers,
                      hold.taken_at if hold is not None and takeovers else None,
                      hold is not None and hold.connected, left)


# What a row reads of an attempt (not its answers or draw: a page lists thousands).
ROW_FIELDS = ("id", "course_id", "block_id", "user_id", "status", "number", "started_at",
              "last_saved_at", "deadline_at", "submitted_at", "submitted_by_server")


async def proctor_rows(course_id: str, block_id: str) -> list[ProctorRow]:
    """Every student of the course, by name, with their latest attempt at the quiz."""
    members = await Membership.filter(course_id=course_id, role=Role.STUDENT
                                      ).values_list("user_id", "user__name")
    latest: dict[int, QuizAttempt] = {}
    for attempt in await QuizAttempt.filter(course_id=course_id, block_id=block_id
                                            ).order_by("number").only(*ROW_FIELDS):
        latest[attempt.user_id] = attempt
    holds = {attempt_id: HoldView(takeovers, taken_at, connected)
             for attempt_id, takeovers, taken_at, connected in await AttemptHold.filter(
                 attempt__course_id=course_id, attempt__block_id=block_id).values_list(
                 "attempt_id", "takeovers", "taken_at", "connected")}
    now = clock.now()
    rows = [row_for(latest[user_id], name, holds.get(latest[user_id].id), now)
            if user_id in latest else ProctorRow(course_id, block_id, user_id, name)
            for user_id, name in members]
    return sorted(rows, key=lambda r: (r.name.lower(), r.user_id))


def row_labels() -> dict[str, str]:
    """The words of a row (quizzes/_proctor_row.html) in the current language, looked up
    once per table of thousands of rows rather than several times per row."""
    return {"not_started": _("not started"), "in_progress": _("in progress"),
            "handing_in": _("handing in"), "submitted": _("submitted"), "graded": _("graded"),
            "open_now": _("open now"), "closed": _("closed"), "left": _("(%(left)s left)"),
            "by_server": _("by the server at the deadline"),
            "extend": _("History, extend"), "reopen": _("History, reopen")}


# The proctor page's filters (`?show=`; static/proctor.js applies the same rule to the rows
# that arrive live): what each shows.
FILTERS = ("all", "in_progress", "closed", "not_started", "handed_in")


def shown(row: ProctorRow, show: str) -> bool:
    if show == "in_progress":
        return row.status == "in_progress"
    if show == "closed":  # in progress with no page of the attempt open
        return row.status == "in_progress" and not row.connected
    if show == "not_started":
        return row.status == "not_started"
    if show == "handed_in":
        return row.status in ("submitted", "graded")
    return True


def matches(row: ProctorRow, q: str) -> bool:
    """The search (`?q=`): part of the student's name, in any case (static/proctor.js
    applies the same rule)."""
    return q.strip().lower() in row.name.lower()


def summary(rows: list[ProctorRow]) -> dict[str, int]:
    """How many rows each filter shows (the page's counts above the table)."""
    return {show: sum(1 for row in rows if shown(row, show)) for show in FILTERS}
