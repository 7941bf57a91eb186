"""How quizzes plug into grading: the `quiz` block type's hooks.

Grading owns the attempt's points: a submitted quiz attempt becomes one grading
submission (`{"attempt": id}`), linked to the attempt on submit (`link_attempt`). The
grading itself is a queued job (grading's queue, consumed by `coursewire worker` processes
or in the web process when embedded): its `grade` hook, `grade_attempt`, grades the saved
answers question by question with grading's own graders, then hands grading the score
(grading.api). Handing in costs the request a claim, not ~50 statements of grading.
quizzes.install registers `QUIZ` with the Runtime's block types.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from content_store.blocks import block_type
from core import clock
from core.errors import BadInput, CoursewireError
from core.i18n import gettext as _
from core.ids import parse_id
from grading.api import (
    Attachment,
    BlockType,
    CountingRule,
    GradedBlock,
    GradingJob,
    announce_submission,
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
        raise BadInput(_("A quiz is answered on its quiz page: start an attempt there "
                         "(POST /api/v1/courses/{course_id}/quizzes/{block_id}/attempts)."))


async def link_attempt(submission: Submission, _attachment: Attachment | None) -> None:
    """On submit (one UPDATE, in the request): the attempt this submission names becomes
    its, so a reopen withdraws it even before its job ran. A submission naming an attempt
    that is not the student's own, submitted and unlinked is withdrawn."""
    if not await _link(submission):
        await _withdraw(submission.id)


async def grade_attempt(job: GradingJob) -> None:
    """grading's job (in a worker): grade the attempt's saved answers question by question
    and score it, once. The job may run twice, even at once: the attempt's conditional
    update from `submitted` decides which run scores, in one transaction with its audit
    row, the score and the events. The job's reads (the submission, the block's history)
    and the student read here serve the score's events."""
    submission = job.submission
    if not await _link(submission):  # linked on submit, unless that process died first
        if not await QuizAttempt.exists(id=submission.answer["attempt"],
                                        submission_id=submission.id,
                                        status=AttemptStatus.GRADED):
            await _withdraw(submission.id)  # a no-op if a reopen withdrew it already
        return
    attempt = await QuizAttempt.get(id=submission.answer["attempt"]).prefetch_related("user")
    answers = dict(await QuizAnswer.filter(attempt_id=attempt.id).values_list(
        "question_id", "answer"))
    results: dict[str, dict[str, Any]] = {}
    for drawn in paper_of(attempt):
        results[drawn.id] = await _grade_question(drawn, answers.get(drawn.id))
    earned = sum(r["points"] for r in results.values())
    total = sum(r["max_points"] for r in results.values()) or 1.0
    attempt.points = round(earned / total * attempt.max_points, 6)
    attempt.results, attempt.status = results, AttemptStatus.GRADED
    try:
        async with in_transaction():
            # Only the attempt as this submission holds it: staff may have reopened it, or
            # another run of the job graded it, since.
            if not await QuizAttempt.filter(
                id=attempt.id, status=AttemptStatus.SUBMITTED, submission_id=submission.id,
            ).update(points=attempt.points, results=results, status=AttemptStatus.GRADED):
                return
            await audit.record(attempt, AttemptAction.GRADED, None, points=attempt.points)
            if not await score_submission(submission.id, earned, total, {
                "summary": f"{earned:g} of {total:g} points on {len(results)} questions.",
                "items": [{"label": qid, "passed": r["points"] >= r["max_points"],
                           "message": f"{r['points']:g}/{r['max_points']:g}"}
                          for qid, r in results.items()]}, job=job, user=attempt.user):
                raise _GivenUp  # the attempt stays `submitted`, as its submission says
            await events.attempt_changed(attempt, attempt.user.name, answers=answers)
    except _GivenUp:
        log.warning("quiz attempt %s: its submission %s was given up before its grade",
                    attempt.id, submission.id)


class _GivenUp(Exception):
    """Rolls back a grade whose submission ended meanwhile (the sweeper gave it up)."""


async def _link(submission: Submission) -> bool:
    """The attempt named by `submission`, the student's own and submitted, is (now) this
    submission's: one conditional UPDATE, the same answer however often it runs."""
    return bool(await QuizAttempt.filter(
        Q(submission_id=None) | Q(submission_id=submission.id),
        id=submission.answer["attempt"], user_id=submission.user_id,
        course_id=submission.course_id, block_id=submission.block_id,
        status=AttemptStatus.SUBMITTED,
    ).update(submission_id=submission.id))


async def _withdraw(submission_id: int) -> None:
    async with in_transaction() as connection:
        await withdraw_submission(submission_id, "A quiz is handed in from its quiz page.",
                                  at=clock.now(), connection=connection)
        await announce_submission(submission_id, graded=False)


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


QUIZ = BlockType(validate=validate_reference, submitted=link_attempt, grade=grade_attempt,
                 waits_in=Status.GRADING, max_points=quiz_points, counting=grading_method,
                 dates_changed=group_window_changed)
