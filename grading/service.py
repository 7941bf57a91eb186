"""Grading actions: submit an answer, grade it (the job), record external results,
extensions and manual overrides. Each one commits first, then publishes its events.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

import nh3
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from app.courses.service import require_role
from app.errors import BadInput, CoursewireError, InvalidState, NotFound, TooLarge
from app.ids import parse_id
from grading import at_once, events, external
from grading.block_state import (
    ATTEMPT_COLUMNS,
    Attempt,
    BlockHistory,
    BlockState,
    Deadline,
    block_history,
    block_state,
    deadline_for,
)
from grading.course_blocks import GRADED_TYPES, GradedBlock, graded_block, published_block
from grading.graders import MisconfiguredBlock, grade_answer, validate_answer
from grading.queue import current_queue
from models.courses import Role
from models.grading import Extension, GradeOverride, Status, Submission
from models.users import User

__all__ = ["BlockState", "Deadline", "block_state", "deadline_for"]  # re-exported for callers

log = logging.getLogger("coursewire.grading")

IN_FLIGHT = (Status.QUEUED, Status.GRADING)
PEER_TEXT_MAX_BYTES = 100_000
MAX_REASON = 2_000


def now() -> datetime:
    return datetime.now(UTC)


def _validate(block: GradedBlock, answer: Any) -> None:
    if block.type == "peer_review":
        text = answer.get("text") if isinstance(answer, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise BadInput("Write your response.", fields={"answer.text": "Required."})
        if len(text.encode()) > PEER_TEXT_MAX_BYTES:
            raise TooLarge(f"Keep your response under {PEER_TEXT_MAX_BYTES // 1000} kB.")
        return
    validate_answer(block.type, block.fields, answer)


async def submit_answer(user: User, course_id: str, block_id: str, answer: Any, *,
                        peer_attachment: tuple[str, str, bytes] | None = None) -> Submission:
    """Store a student's answer as a new attempt and queue it for grading.

    `peer_attachment`: a peer_review response's file, handed to the peer queue together
    with the answer (peer_review.service.submit_response checks it).

    Malformed or oversized answers (BadInput/TooLarge), a closed deadline under the
    reject policy, used-up attempts, or an attempt still being graded (InvalidState)
    are refused before anything is stored: no attempt is used up.
    """
    await require_role(user, course_id, Role.STUDENT)
    layout, block = await published_block(course_id, block_id)
    policy = layout.policy
    if block.type not in GRADED_TYPES:
        raise NotFound(f"{block_id!r} takes no submissions.")
    _validate(block, answer)
    submitted = now()
    deadline = await deadline_for(user.id, block)
    late = deadline.due_at is not None and submitted > deadline.due_at + policy.late.grace
    if late and policy.late.mode == "reject":
        raise InvalidState(f"This was due {deadline.due_at:%Y-%m-%d %H:%M} UTC; late "
                           "submissions are not accepted.", fields={"due_at": str(deadline.due_at)})
    previous = tuple(Attempt(i, a, Status(s), p) for i, a, s, p in await Submission.filter(
        user_id=user.id, course_id=course_id, block_id=block_id).values_list(*ATTEMPT_COLUMNS))
    if any(a.status in IN_FLIGHT for a in previous):
        raise InvalidState("Your previous attempt is still being graded; wait for its result.")
    counted = [a for a in previous if a.status != Status.ERROR]
    if block.type == "peer_review" and counted:
        raise InvalidState("You have already submitted a response for peer review.")
    if block.max_attempts is not None and len(counted) >= block.max_attempts:
        raise InvalidState(f"You have used all {block.max_attempts} attempts.",
                           fields={"max_attempts": block.max_attempts})
    status = Status.AWAITING_PEER_REVIEW if block.type == "peer_review" else Status.QUEUED
    try:
        submission = await Submission.create(
            user_id=user.id, course_id=course_id, block_id=block_id, block_type=block.type,
            attempt=max((a.attempt for a in previous), default=0) + 1, answer=answer,
            status=status, max_points=block.max_points, late=late,
            late_penalty=policy.late.penalty if late else 0.0,
            enqueued_at=submitted if status == Status.QUEUED else None)
    except IntegrityError:
        raise InvalidState("Another attempt was submitted at the same moment; "
                           "wait for its result.") from None
    history = await block_history(user.id, layout, block, attempts=previous,
                                  deadline=deadline)
    await events.submission_changed(submission, history=history, user=user)
    if status == Status.AWAITING_PEER_REVIEW:  # into the peer review queue (peer_review/)
        from peer_review.service import submission_received

        await submission_received(submission, peer_attachment)
    if status == Status.QUEUED:
        if at_once.applies_to(block):
            at_once.start(partial(_grade_at_once, submission, history, user))
            return submission
        # If this fails the row is still `queued` and the sweeper enqueues it again.
        try:
            await current_queue().enqueue(submission.id)
        except Exception:
            log.exception("could not enqueue submission %s; the sweeper will", submission.id)
    return submission


async def _grade_at_once(submission: Submission, history: BlockHistory, user: User) -> None:
    """Grade an answer right after its submit committed (see grading.at_once)."""
    try:
        started = now()
        moved = await Submission.filter(id=submission.id, status=Status.QUEUED).update(
            status=Status.GRADING, grading_started_at=started,
            grader_runs=F("grader_runs") + 1)
        if not moved:
            return  # a swept job has it
        submission.status, submission.grading_started_at = Status.GRADING, started
        submission.grader_runs += 1
        await _grade(submission, history=history, user=user)
    except Exception:
        log.exception("grading submission %s failed; the sweeper will retry it",
                      submission.id)


async def grade_submission(submission_id: int) -> None:
    """The grading job. Safe to run any number of times: one grade is recorded.

    Moves queued -> grading, grades with the built-in or external grader, and records
    the result only if the submission is still `grading` (a conditional UPDATE).
    """
    moved = await Submission.filter(id=submission_id, status__in=IN_FLIGHT).update(
        status=Status.GRADING, grading_started_at=now(),
        grader_runs=F("grader_runs") + 1)
    if not moved:
        return  # graded, failed or gone already
    submission = await Submission.get(id=submission_id)
    await _grade(submission, announce=submission.grader_runs == 1)


async def _grade(submission: Submission, *, announce: bool = True,
                 history: BlockHistory | None = None, user: User | None = None) -> None:
    """Grade a submission this task has just moved to `grading` and record the result.

    `history` (the block and the student's attempts, deadline and override) is read once
    here if the caller has none, and serves every event of this attempt.
    """
    try:
        if history is None:
            layout, block = await published_block(submission.course_id, submission.block_id)
            history = await block_history(submission.user_id, layout, block)
    except NotFound:
        await record_error(submission, "This exercise is no longer published; this "
                           "attempt does not count.")
        return
    block = history.block
    if announce:
        await events.submission_changed(submission, history=history, user=user)
    try:
        if block.grader_url:
            await _ask_external_grader(submission, history)
            return
        result = await grade_answer(block.type, block.fields, submission.answer)
    except MisconfiguredBlock as exc:
        log.warning("submission %s: misconfigured block: %s", submission.id, exc.message)
        await record_error(submission, "This exercise is set up wrongly, so it could not be "
                           "graded. Course staff can see why; this attempt does not count.",
                           history=history, user=user)
        return
    except (BadInput, TooLarge) as exc:
        await record_error(submission, exc.message, history=history, user=user)
        return
    except Exception as exc:
        from grading.sandbox import SandboxFailure, SandboxUnavailable

        if not isinstance(exc, SandboxFailure | SandboxUnavailable):
            raise
        log.error("submission %s: sandbox problem: %s", submission.id, exc)
        await record_error(submission, "Your code could not be run because of a problem on "
                           "our side. This attempt does not count; please submit again.",
                           history=history, user=user)
        return
    await record_grade(submission, result.points, result.max_points, {
        "summary": result.summary, "items": [i.as_json() for i in result.feedback]},
        history=history, user=user)


async def _ask_external_grader(submission: Submission, history: BlockHistory) -> None:
    block = history.block
    form = external.grader_form(
        submission.answer if isinstance(submission.answer, dict) else {},
        submission_id=submission.id, user_id=submission.user_id, attempt=submission.attempt,
        max_points=block.max_points, course_id=block.course_id, block_id=block.id)
    try:
        reply = await external.request_grade(block.grader_url or "", form)
    except external.ExternalGraderError as exc:
        log.warning("submission %s: external grader failed: %s", submission.id, exc)
        await record_error(submission, "The grader for this exercise did not answer. This "
                           "attempt does not count; please submit again later.",
                           history=history)
        return
    if reply is not None:
        await record_external_reply(submission, reply, history=history)
    # else: accepted; the grader posts the result to the submission URL later.


def _clean_html(html: str) -> str:
    return nh3.clean(html, tags={"p", "pre", "code", "ul", "ol", "li", "strong", "em", "br",
                                 "span", "div", "table", "tr", "td", "th", "thead", "tbody",
                                 "h4", "h5", "small"})


async def record_external_reply(submission: Submission, reply: external.GraderReply, *,
                                history: BlockHistory | None = None) -> bool:
    feedback = {"summary": "", "items": [], "html": _clean_html(reply.feedback)}
    if reply.error:
        return await record_error(submission, "The grader reported an error with this "
                                  "submission.", feedback=feedback, payload=reply.payload,
                                  history=history)
    # Rescale to the block's own maximum.
    points = reply.points / reply.max_points * submission.max_points
    feedback["summary"] = f"{points:g} of {submission.max_points:g} points"
    return await record_grade(submission, points, submission.max_points, feedback,
                              payload=reply.payload, history=history)


async def record_grade(submission: Submission, points: float, max_points: float,
                       feedback: dict[str, Any], payload: Any = None, *,
                       history: BlockHistory | None = None, user: User | None = None) -> bool:
    """Store the grade if the submission is still `grading`; False if one already was.

    `submission` is updated in memory as stored, and its events render from it.
    """
    raw = points / max_points * submission.max_points if max_points else 0.0
    final = raw * (1.0 - submission.late_penalty)
    if submission.late and submission.late_penalty:
        feedback = {**feedback, "late": f"Submitted late: {submission.late_penalty:.0%} "
                    "of the points deducted."}
    changes = {"status": Status.GRADED, "raw_points": raw, "points": final,
               "feedback": feedback, "grading_payload": payload, "graded_at": now(),
               "error_message": None}
    if not await _finish(submission, changes):
        return False
    await events.submission_changed(submission, graded=True, history=history, user=user)
    return True


async def record_error(submission: Submission, message: str,
                       feedback: dict[str, Any] | None = None, payload: Any = None, *,
                       history: BlockHistory | None = None, user: User | None = None) -> bool:
    changes = {"status": Status.ERROR, "error_message": message, "feedback": feedback,
               "grading_payload": payload, "graded_at": now()}
    if not await _finish(submission, changes):
        return False
    await events.submission_changed(submission, history=history, user=user)
    return True


async def _finish(submission: Submission, changes: dict[str, Any]) -> bool:
    """End a `grading` attempt with these values (a conditional UPDATE, so one wins)."""
    recorded = await Submission.filter(id=submission.id, status=Status.GRADING).update(
        **changes)
    if recorded:
        for name, value in changes.items():
            setattr(submission, name, value)
    return bool(recorded)


async def receive_external_result(submission_id: int, token: object,
                                  fields: dict[str, Any]) -> tuple[int, list[str]]:
    """An asynchronous grader posts its result. Returns (HTTP status, errors)."""
    if not external.token_is_valid(submission_id, token):
        return 403, ["invalid or missing token"]
    submission = await Submission.get_or_none(id=submission_id)
    if submission is None:
        return 404, ["no such submission"]
    if submission.status != Status.GRADING:
        return 409, [f"submission is already {submission.status.value}"]
    try:
        reply = external.reply_from_fields(fields)
    except external.ExternalGraderError as exc:
        return 400, [str(exc)]
    if not await record_external_reply(submission, reply):
        return 409, ["submission was graded meanwhile"]
    return 200, []


# -- reading -------------------------------------------------------------------------

async def get_submission(viewer: User, submission_id: int) -> Submission:
    """A submission its owner or the course's staff may read; NotFound for anyone else."""
    submission = await Submission.get_or_none(id=submission_id)
    if submission is None:
        raise NotFound(f"No submission {submission_id}.")
    if submission.user_id != viewer.id:
        try:
            await require_role(viewer, submission.course_id, Role.TA)
        except CoursewireError:
            raise NotFound(f"No submission {submission_id}.") from None
    return submission


async def student_block_state(viewer: User, course_id: str, block_id: str) -> BlockState:
    await require_role(viewer, course_id, Role.STUDENT)
    return await block_state(viewer.id, course_id, block_id)


# -- staff actions -------------------------------------------------------------------

def _reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise BadInput("Give a reason (it is kept in the audit trail).",
                       fields={"reason": "Required."})
    if len(reason) > MAX_REASON:
        raise BadInput(f"Keep the reason under {MAX_REASON} characters.",
                       fields={"reason": "Too long."})
    return reason.strip()


async def _student(course_id: str, user_id: object) -> User:
    from models.courses import Membership

    uid = parse_id(user_id.strip() if isinstance(user_id, str) else user_id)
    if uid is None:
        raise BadInput("Pick a student.", fields={"user_id": "Required."})
    if not await Membership.exists(user_id=uid, course_id=course_id):
        raise NotFound("That user is not a member of this course.",
                       fields={"user_id": "Not a member."})
    return await User.get(id=uid)


async def grant_extension(actor: User, course_id: str, user_id: object, block_id: str,
                          due_at: object, reason: object = "") -> Extension:
    """Give one student a later due date for one block (TAs and instructors)."""
    await require_role(actor, course_id, Role.TA)
    student = await _student(course_id, user_id)
    await graded_block(course_id, block_id)
    if isinstance(due_at, str):
        try:
            due_at = datetime.fromisoformat(due_at.replace("Z", "+00:00"))
        except ValueError:
            due_at = None
    if not isinstance(due_at, datetime):
        raise BadInput("Give the new due date as 2026-03-01T23:59:00Z.",
                       fields={"due_at": "Invalid date."})
    if due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=UTC)
    text = reason.strip()[:MAX_REASON] if isinstance(reason, str) else ""
    ext, created = await Extension.get_or_create(
        user_id=student.id, course_id=course_id, block_id=block_id,
        defaults={"due_at": due_at, "reason": text, "granted_by_id": actor.id})
    if not created:
        ext.due_at, ext.reason, ext.granted_by_id = due_at, text, actor.id  # type: ignore[assignment]
        await ext.save()
    await events.block_state_changed(student.id, course_id, block_id)
    return ext


async def override_grade(actor: User, course_id: str, user_id: object, block_id: str,
                         points: object, reason: object) -> GradeOverride:
    """Set (or, with points None/"", clear) a student's grade for a block by hand."""
    await require_role(actor, course_id, Role.TA)
    student = await _student(course_id, user_id)
    block, _ = await graded_block(course_id, block_id)
    why = _reason(reason)
    value: float | None
    if points is None or points == "":
        value = None
    else:
        try:
            value = float(str(points))
        except ValueError:
            raise BadInput("Points must be a number.", fields={"points": "Not a number."}) from None
        if not 0 <= value <= block.max_points:
            raise BadInput(f"Points must be between 0 and {block.max_points:g}.",
                           fields={"points": "Out of range."})
    before = await block_state(student.id, course_id, block_id)
    previous = (before.override_points if before.override_points is not None else
                before.best.points if before.best else None)
    row = await GradeOverride.create(user_id=student.id, course_id=course_id,
                                     block_id=block_id, points=value,
                                     previous_points=previous, reason=why, by_id=actor.id)
    await events.block_state_changed(student.id, course_id, block_id, graded=True)
    return row


async def override_history(actor: User, course_id: str) -> list[GradeOverride]:
    await require_role(actor, course_id, Role.TA)
    return await GradeOverride.filter(course_id=course_id).order_by("-id").prefetch_related(
        "user", "by").limit(200)

