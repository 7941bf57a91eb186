"""What other domains may use of grading: everything they call is named here.

Grading alone creates, grades, scores, withdraws and ends submissions and applies the
late policy. A domain that scores a block type itself (peer_review) registers a
`BlockType` (validation, the `submitted` hook, the status its attempts wait in) in its
`install(runtime)` (into `runtime.block_types`), submits through `submit_answer`, and
hands its scores back through `score_submission`; it never writes a `Submission` row.
One whose grading should run in grading's queued job, not in the request (quizzes), also
gives the `BlockType` a `grade` hook, which the job calls.
"""

from collections.abc import Collection
from typing import Any

from grading.block_types import (
    Attachment,
    BlockType,
    BlockTypes,
    GradingJob,
    current_block_types,
)
from grading.counting import CountingRule
from grading.course_blocks import GradedBlock, published_block
from grading.delegated import announce_submission, score_submission, withdraw_submission
from grading.gradebook import student_grade
from grading.graders import GradeResult, grade_answer, validate_answer
from grading.group_dates import GroupDates, group_dates, group_dates_of
from grading.submissions import submit_answer
from models.grading import Submission

# A domain whose block holds several questions (quizzes) checks and grades each question's
# answer with grading's own graders: `validate_answer(type, fields, answer)` and
# `await grade_answer(type, fields, answer)` -> GradeResult.
__all__ = [
    "Attachment",
    "BlockType",
    "BlockTypes",
    "CountingRule",
    "GradeResult",
    "GradedBlock",
    "GradingJob",
    "GroupDates",
    "announce_submission",
    "grade_answer",
    "group_dates",
    "group_dates_of",
    "published_block",
    "resource_scores",
    "score_submission",
    "stored_answers",
    "submit_answer",
    "validate_answer",
    "withdraw_submission",
]


async def unclaimed_submissions(block_type: str, claimed: Any, *, limit: int = 200
                                ) -> list[Submission]:
    """Stored attempts of `block_type` still waiting for their domain whose ids are not in
    `claimed` (a query of the submission ids the domain holds): those whose `submitted`
    hook never ran (the process died in between). The domain hands each to its hook."""
    hooks = current_block_types().get(block_type)
    if hooks is None:
        return []
    return await Submission.filter(block_type=block_type, status=hooks.waits_in).exclude(
        id__in=claimed).limit(limit)


async def stored_answers(block_type: str, user_ids: Collection[int]) -> list[Any]:
    """The answers of every stored attempt at `block_type` by these students, whatever
    became of it (withdrawn and given up included): how a domain whose answer names a
    record of its own (a quiz's `{"attempt": id}`) learns which records grading holds."""
    if not user_ids:
        return []
    return list(await Submission.filter(block_type=block_type, user_id__in=list(user_ids))
                .values_list("answer", flat=True))


async def resource_scores(course_id: str, user_id: int) -> dict[str, tuple[float, float]]:
    """A student's (points, points possible) for each gradeable block of the published
    course and for each unit (the sum of its blocks; an ungraded block counts 0), as
    grading scores them now (overrides included). LTI sends these for unit and quiz links."""
    layout, grade = await student_grade(course_id, user_id)
    found: dict[str, tuple[float, float]] = {}
    for block in layout.blocks:
        score = grade.blocks.get(block.id)
        points = (score.points if score else None) or 0.0
        found[block.id] = (points, block.max_points)
        if block.unit_id:
            earned, possible = found.get(block.unit_id, (0.0, 0.0))
            found[block.unit_id] = (earned + points, possible + block.max_points)
    return found
