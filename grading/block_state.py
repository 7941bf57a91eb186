"""What a student's submit widget shows for one block: the latest attempt, the best score,
attempts used, the due date (with any extension) and a staff override.

Pages and resync read it whole (`block_state`). The grading path reads the rest of the
block's history once per submit or job (`block_history`) and renders each status change
from the submission row it already holds (`state_from`), so a status change costs no reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from grading.counting import CountingRule, counted_points
from grading.course_blocks import CourseLayout, GradedBlock, published_block
from grading.group_dates import effective_date, group_dates, group_dates_of
from models.grading import Extension, GradeOverride, Status, Submission

IN_FLIGHT = (Status.QUEUED, Status.GRADING)


@dataclass(frozen=True)
class Deadline:
    """A student's due date for a block and extra attempts, with any extension applied."""

    due_at: datetime | None
    extended: bool
    extra_attempts: int = 0
    for_group: bool = False  # the date in force is the student's group's


_UNREAD = object()  # deadline_for: the caller has not read the student's group


async def deadline_for(user_id: int, block: GradedBlock,
                       group_name: str | object | None = _UNREAD) -> Deadline:
    """The block's due date for this student: their extension if staff granted one, else
    their group's date, else the block's (grading.group_dates.effective_date).
    `group_name`: their membership's group (None: none), if the caller has read it."""
    ext = await Extension.get_or_none(user_id=user_id, course_id=block.course_id,
                                      block_id=block.id)
    group = (await group_dates(block.course_id, user_id, block.id) if group_name is _UNREAD
             else await group_dates_of(block.course_id, group_name, block.id))  # type: ignore[arg-type]
    due, extended = effective_date(block.due_at, group.due_at if group else None,
                                   ext.due_at if ext else None)
    for_group = group is not None and group.due_at is not None and (ext is None
                                                                     or ext.due_at is None)
    return Deadline(due, extended, max(0, ext.extra_attempts) if ext else 0, for_group)


@dataclass(frozen=True)
class Attempt:
    """One attempt, as much as the widget needs of it (best score, attempts used)."""

    id: int
    attempt: int
    status: Status
    points: float | None

    @classmethod
    def of(cls, submission: Submission) -> Attempt:
        return cls(submission.id, submission.attempt, Status(submission.status),
                   submission.points)


ATTEMPT_COLUMNS = ("id", "attempt", "status", "points")


@dataclass(frozen=True)
class BlockHistory:
    """A student's attempts at a block, their deadline and the staff override in force,
    with the published course layout they were read against."""

    layout: CourseLayout
    block: GradedBlock
    attempts: tuple[Attempt, ...]
    deadline: Deadline
    override_points: float | None


@dataclass(frozen=True)
class BlockState:
    """What the submit widget shows a student for one block."""

    course_id: str
    block: GradedBlock
    latest: Submission | None
    best: Attempt | None
    used_attempts: int
    deadline: Deadline
    override_points: float | None  # a staff override wins over every attempt
    counted: float | None = None  # the attempts' score under the block's rule

    @property
    def max_attempts(self) -> int | None:
        """The block's attempts plus any this student was granted by an extension."""
        if self.block.max_attempts is None:
            return None
        return self.block.max_attempts + self.deadline.extra_attempts

    @property
    def attempts_left(self) -> int | None:
        if self.max_attempts is None:
            return None
        return max(0, self.max_attempts - self.used_attempts)

    @property
    def pending(self) -> bool:
        return self.latest is not None and self.latest.status in IN_FLIGHT


async def override_points(user_id: int, course_id: str, block_id: str) -> float | None:
    """The newest override's points; None if there is none or it was cleared."""
    points = await GradeOverride.filter(user_id=user_id, course_id=course_id,
                                        block_id=block_id).order_by("-id").limit(1
                                        ).values_list("points", flat=True)
    return points[0] if points else None


async def block_history(user_id: int, layout: CourseLayout, block: GradedBlock, *,
                        attempts: tuple[Attempt, ...] | None = None,
                        deadline: Deadline | None = None) -> BlockHistory:
    """Read what the caller does not already have (attempts, deadline, override)."""
    if attempts is None:
        rows = await Submission.filter(user_id=user_id, course_id=block.course_id,
                                       block_id=block.id).values_list(*ATTEMPT_COLUMNS)
        attempts = tuple(Attempt(i, a, Status(s), p) for i, a, s, p in rows)
    if deadline is None:
        deadline = await deadline_for(user_id, block)
    return BlockHistory(layout, block, attempts, deadline,
                        await override_points(user_id, block.course_id, block.id))


def counting_attempt(block: GradedBlock, attempts: list[Attempt]) -> Attempt | None:
    """The graded attempt whose points count, when one attempt does: the newest for
    `last`, the earliest graded for `first`, the best (the earliest of equal bests) for
    `highest`; None for `average` (every graded attempt counts: `counted_points`)."""
    graded = [a for a in attempts if a.status == Status.GRADED and a.points is not None]
    rule = block.counting_rule
    if rule == CountingRule.AVERAGE:
        return None
    if rule == CountingRule.LAST:
        return max(graded, key=lambda a: a.attempt, default=None)
    if rule == CountingRule.FIRST:
        return min(graded, key=lambda a: a.attempt, default=None)
    return max(graded, key=lambda a: (a.points or 0, -a.attempt), default=None)


def state_from(history: BlockHistory, latest: Submission) -> BlockState:
    """The widget state with `latest` (the newest attempt, as held in memory) in place of
    its row in `history`."""
    attempts = [a for a in history.attempts if a.id != latest.id] + [Attempt.of(latest)]
    return BlockState(history.block.course_id, history.block, latest,
                      counting_attempt(history.block, attempts),
                      sum(1 for a in attempts if a.status != Status.ERROR), history.deadline,
                      history.override_points,
                      counted_points(history.block.counting_rule, attempts))


async def block_state(user_id: int, course_id: str, block_id: str) -> BlockState:
    """Read a student's widget state for a block from the database."""
    layout, block = await published_block(course_id, block_id)
    subs = await Submission.filter(user_id=user_id, course_id=course_id,
                                   block_id=block_id).order_by("-attempt")
    history = await block_history(user_id, layout, block,
                                  attempts=tuple(Attempt.of(s) for s in subs))
    if not subs:
        return BlockState(course_id, block, None, None, 0, history.deadline,
                          history.override_points)
    return state_from(history, subs[0])
