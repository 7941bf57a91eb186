"""Block types that another domain scores itself (peer_review), and the hooks it gives
grading for them.

Grading still owns their submissions: it stores the attempt (checking the deadline, late
policy and attempts), and later records the domain's score or withdraws the attempt
(grading.api). What the domain adds: how an answer is checked, what happens once it is
stored (`submitted`), and the status the attempt waits in until the domain scores it, or,
for a domain whose grading is work to keep off the request (quizzes), a `grade` hook that
grading's queued job calls in a worker.
A domain registers these in its `install()`, into the registry the Runtime holds; the
Runtime binds it (`BLOCK_TYPES`) and grading reads it with `current_block_types()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.context import RuntimeValue
from grading.counting import CountingRule
from grading.graded_block import GradedBlock
from models.grading import Status, Submission

if TYPE_CHECKING:  # grading.block_state imports this module (through course_blocks)
    from grading.block_state import BlockHistory

# An attachment handed on with the answer: (file name, content type, bytes).
Attachment = tuple[str, str, bytes]


@dataclass(frozen=True)
class GradingJob:
    """What grading's job has read of a submission it moved to `grading`, for the domain's
    `grade` hook to hand back to `score_submission`: the submission as stored then, and
    the block's history (its layout, the student's attempts, deadline and override),
    which the job read to announce the start. Scoring then reads neither again."""

    submission: Submission
    history: BlockHistory | None = None  # None: the job has not read it


@dataclass(frozen=True)
class BlockType:
    """`validate(block, answer)` raises BadInput/TooLarge for an answer to refuse.
    `submitted(submission, attachment)` runs after the attempt is committed and published.
    `waits_in`: the attempt's status until the domain scores it (grading.api.score_submission).
    `once`: if set, the student may have one counted attempt; this is the refusal's message.
    `max_points(fields)`: the block's maximum, if not its `max_points` field (e.g. a rubric's).
    `form_answer(form)`: the answer from the unit page's form, if not `{"text": ...}`.
    `counting(fields)`: which graded attempts make the score (grading.counting), if not
    the block's `counts` field (e.g. a quiz's `grading`).
    `dates_changed(course_id, block_id, user_ids)`: a group's dates for the block changed
    for these students (grading.group_deadlines), inside that change's transaction (e.g.
    a quiz moves the deadline of attempts in progress).
    `grade(job)`: the domain's grading runs as grading's queued job instead of in
    the request: the attempt is stored `queued` and goes through the queue (workers,
    retries, the sweeper, the limits) like a built-in answer; the job moves it to `grading`
    (so `waits_in` is `Status.GRADING`) and calls this with a `GradingJob`, which records
    the outcome with `score_submission(..., job=job)` or `withdraw_submission`. A job may
    run twice, even at once: the hook must score once (e.g. a conditional update of its
    own row decides).
    """

    validate: Callable[[GradedBlock, Any], None]
    submitted: Callable[[Submission, Attachment | None], Awaitable[Any]]
    waits_in: Status
    once: str | None = None
    max_points: Callable[[Mapping[str, Any]], float] | None = None
    form_answer: Callable[[Mapping[str, Any]], Any] | None = None
    counting: Callable[[Mapping[str, Any]], CountingRule] | None = None
    dates_changed: Callable[[str, str, list[int]], Awaitable[None]] | None = None
    grade: Callable[[GradingJob], Awaitable[None]] | None = None

    @property
    def queued(self) -> bool:
        """Graded by grading's job (`grade`), not by the domain on its own schedule."""
        return self.grade is not None


class BlockTypes:
    """The registry grading consults on submit. Registering a type again replaces it."""

    def __init__(self) -> None:
        self._types: dict[str, BlockType] = {}

    def register(self, type_name: str, block_type: BlockType) -> None:
        self._types[type_name] = block_type

    def names(self) -> tuple[str, ...]:
        """The block types other domains registered (their names, in registration order)."""
        return tuple(self._types)

    def get(self, type_name: str) -> BlockType | None:
        return self._types.get(type_name)

    def waiting_statuses(self) -> tuple[Status, ...]:
        return tuple({t.waits_in for t in self._types.values()})


# The Runtime's registry, filled by the domains' install() (never at import).
BLOCK_TYPES: RuntimeValue[BlockTypes] = RuntimeValue("block type registry")


def current_block_types() -> BlockTypes:
    """The bound registry; with none bound, nothing is installed (an empty one)."""
    return BLOCK_TYPES.peek() or BlockTypes()
