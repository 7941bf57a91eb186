"""How quizzes plug into grading: the `quiz` block type's hooks.

Grading owns the attempt's points: a submitted quiz attempt becomes one grading
submission (`{"attempt": id}`), and this hook grades its saved answers question by
question with grading's own graders, then hands grading the score (grading.api).
quizzes.install registers `QUIZ` with the Runtime's block types.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from content_store.blocks import block_type
from core import clock
from core.errors import BadInput, CoursewireError
from core.ids import parse_id
from grading.api import (
    Attachment,
    BlockType,
    CountingRule,
    GradedBlock,
    grade_answer,
    score_submission,
    withdraw_submission,
)
from models.grading import Status, Submission
from models.quiz_audit import AttemptAction
from models.quizzes import AttemptStatus, QuizAnswer, QuizAttempt
from quizzes import audit, events
from quizzes.draw import DrawnQuestion
from quizzes.group_window import group_window_changed
from quizzes.presenters import paper_of
from quizzes.quiz_blocks import quiz_points

log = logging.getLogger("coursewire.quizzes")


def validate_reference(block: GradedBlock, answer: Any) -> None:
    """A quiz's submission names the attempt it hands in; the answers are the attempt's."""
    if not (isinstance(answer, dict) and set(answer) == {"attempt"}
            and isinstance(answer["attempt"], int) and parse_id(answer["attempt"])):
        raise BadInput("A quiz is answered on its quiz page: start an attempt there "
                       "(POST /api/v1/courses/{course_id}/quizzes/{block_id}/attempts).")


async def grade_attempt(submission: Submission, _attachment: Attachment | None) -> None:
    """Grade the submitted attempt this submission names, once: a submission naming an
    attempt that is not the student's own, submitted and still ungraded is withdrawn."""
    attempt_id = submission.answer["attempt"]
    claimed = await QuizAttempt.filter(
        id=attempt_id, user_id=submission.user_id, course_id=submission.course_id,
        block_id=submission.block_id, status=AttemptStatus.SUBMITTED, submission_id=None,
    ).update(submission_id=submission.id)
    if not claimed:
        await withdraw_submission(submission.id, "A quiz is handed in from its quiz page.",
                                  at=clock.now())
        return
    attempt = await QuizAttempt.get(id=attempt_id).prefetch_related("user")
    answers = dict(await QuizAnswer.filter(attempt_id=attempt_id).values_list(
        "question_id", "answer"))
    results: dict[str, dict[str, Any]] = {}
    for drawn in paper_of(attempt):
        results[drawn.id] = await _grade_question(drawn, answers.get(drawn.id))
    earned = sum(r["points"] for r in results.values())
    total = sum(r["max_points"] for r in results.values()) or 1.0
    attempt.points = round(earned / total * attempt.max_points, 6)
    attempt.results, attempt.status = results, AttemptStatus.GRADED
    async with in_transaction():
        # Only the attempt as this submission claimed it: staff may have reopened it since.
        still_ours = await QuizAttempt.filter(
            id=attempt_id, status=AttemptStatus.SUBMITTED, submission_id=submission.id,
        ).update(points=attempt.points, results=results, status=AttemptStatus.GRADED)
        if still_ours:
            await audit.record(attempt, AttemptAction.GRADED, None, points=attempt.points)
    if not still_ours:
        await withdraw_submission(submission.id, "The quiz attempt was reopened.",
                                  at=clock.now())
        return
    await score_submission(submission.id, earned, total, {
        "summary": f"{earned:g} of {total:g} points on {len(results)} questions.",
        "items": [{"label": qid, "passed": r["points"] >= r["max_points"],
                   "message": f"{r['points']:g}/{r['max_points']:g}"}
                  for qid, r in results.items()]})
    await events.attempt_changed(attempt, attempt.user.name)


async def _grade_question(drawn: DrawnQuestion, answer: Any) -> dict[str, Any]:
    question = drawn.question
    kind = question.get("type", "problem")
    fields = block_type(kind).with_defaults(
        {k: v for k, v in question.items() if k not in ("id", "tags", "type")})
    top = float(fields.get("max_points", 1.0))
    if answer is None:
        return {"points": 0.0, "max_points": top, "answered": False, "feedback": []}
    try:
        result = await grade_answer(kind, fields, answer)
    except CoursewireError as exc:  # saved before a bank edit made it invalid, say
        log.warning("could not grade question %s: %s", drawn.id, exc)
        return {"points": 0.0, "max_points": top, "answered": True,
                "feedback": [{"label": "error", "passed": False, "message": exc.message}]}
    return {"points": result.points, "max_points": result.max_points, "answered": True,
            "feedback": [item.as_json() for item in result.feedback]}


def grading_method(fields: Mapping[str, Any]) -> CountingRule:
    """The quiz's `grading` field (highest|last|average|first) as grading's rule."""
    return CountingRule(fields.get("grading") or CountingRule.HIGHEST)


QUIZ = BlockType(validate=validate_reference, submitted=grade_attempt,
                 waits_in=Status.GRADING, max_points=quiz_points, counting=grading_method,
                 dates_changed=group_window_changed)
