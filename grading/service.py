"""Grading actions: submit an answer, grade it (the job), record external results,
extensions and manual overrides. Each one commits first, then publishes its events.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import nh3
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from app.courses.service import require_role
from app.errors import BadInput, CoursewireError, InvalidState, NotFound, TooLarge
from app.ids import parse_id
from grading import at_once, events, external, limits
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
from grading.graders.answers import code_answer, numeric_value, text_answer
from grading.queue import current_queue
from models.courses import Role
from models.grading import Extension, ExtensionLog, GradeOverride, Status, Submission
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
        try:
            size = len(text.encode())
        except UnicodeEncodeError:  # a lone surrogate such as JSON "\ud800"
            raise BadInput("Your response is not valid Unicode text.",
                           fields={"answer.text": "invalid unicode"}) from None
        if size > PEER_TEXT_MAX_BYTES:
            raise TooLarge(f"Keep your response under {PEER_TEXT_MAX_BYTES // 1000} kB.")
        return
    if block.grader_url and block.type == "code":
        code_answer(answer)  # the external grader has the tests
        return
    if block.grader_url and block.fields.get("kind") in ("text", "numeric"):
        # The answer key is the external grader's; check only the answer's shape.
        (text_answer if block.fields.get("kind") == "text" else numeric_value)(answer)
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
    previous = await _attempts(user.id, course_id, block_id)
    if any(a.status in IN_FLIGHT for a in previous):
        # One stuck past the limits is given up now rather than at the next sweep.
        if not await give_up_overdue([a.id for a in previous if a.status in IN_FLIGHT]):
            raise InvalidState("Your previous attempt is still being graded; "
                               "wait for its result.")
        previous = await _attempts(user.id, course_id, block_id)
    counted = [a for a in previous if a.status != Status.ERROR]
    if block.type == "peer_review" and counted:
        raise InvalidState("You have already submitted a response for peer review.")
    allowed = (None if block.max_attempts is None
               else block.max_attempts + deadline.extra_attempts)
    if allowed is not None and len(counted) >= allowed:
        raise InvalidState(f"You have used all {allowed} attempts.",
                           fields={"max_attempts": allowed})
    if block.cooldown and counted:
        await _check_cooldown(block, [a.id for a in counted], submitted)
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


async def _attempts(user_id: int, course_id: str, block_id: str) -> tuple[Attempt, ...]:
    rows = await Submission.filter(user_id=user_id, course_id=course_id,
                                   block_id=block_id).values_list(*ATTEMPT_COLUMNS)
    return tuple(Attempt(i, a, Status(s), p) for i, a, s, p in rows)


async def _check_cooldown(block: GradedBlock, counted_ids: list[int],
                          submitted: datetime) -> None:
    times = await Submission.filter(id__in=counted_ids).order_by("-submitted_at").limit(
        1).values_list("submitted_at", flat=True)
    if not times:
        return
    ready = times[0] + block.cooldown
    if submitted < ready:
        wait = int((ready - submitted).total_seconds()) + 1
        raise InvalidState(f"Wait {wait} s before your next attempt (this exercise asks "
                           f"for {int(block.cooldown.total_seconds())} s between attempts).",
                           fields={"retry_after": wait})


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
    cap = limits.current().max_runs
    # Not one an async grader accepted (its result comes to the submission URL), and
    # not one that has already had every run it may have.
    moved = await Submission.filter(id=submission_id, status__in=IN_FLIGHT,
                                    grader_accepted_at=None, grader_runs__lt=cap).update(
        status=Status.GRADING, grading_started_at=now(),
        grader_runs=F("grader_runs") + 1)
    if not moved:
        stuck = await Submission.get_or_none(id=submission_id, status__in=IN_FLIGHT,
                                             grader_accepted_at=None, grader_runs__gte=cap)
        if stuck is not None:
            await give_up(stuck, limits.GAVE_UP.format(runs=stuck.grader_runs))
        return  # graded, failed, awaiting a callback or gone already
    submission = await Submission.get(id=submission_id)
    await _grade(submission, announce=submission.grader_runs == 1)


async def give_up(submission: Submission, message: str) -> bool:
    """End a stuck `queued`/`grading` attempt as `error` (it does not count), telling the
    student why. False if it finished meanwhile."""
    changes = {"status": Status.ERROR, "error_message": message, "graded_at": now()}
    if not await _finish(submission, changes, from_statuses=IN_FLIGHT):
        return False
    log.warning("gave up on submission %s after %d runs: %s", submission.id,
                submission.grader_runs, message)
    await events.submission_changed(submission)
    return True


def overdue_message(submission: Submission, at: datetime) -> str | None:
    """Why this in-flight submission should be given up at `at`, or None if it may
    still finish."""
    lim = limits.current()
    if submission.grader_accepted_at is not None:
        return (limits.NO_CALLBACK if at - submission.grader_accepted_at > lim.async_reply
                else None)
    if submission.submitted_at and at - submission.submitted_at > lim.give_up:
        return limits.TOO_SLOW
    return None


async def give_up_overdue(submission_ids: list[int]) -> bool:
    """Give up those of these in-flight submissions that are past the limits; True if
    none of them is left in flight."""
    at = now()
    left = False
    for submission in await Submission.filter(id__in=submission_ids, status__in=IN_FLIGHT):
        message = overdue_message(submission, at)
        if message is None or not await give_up(submission, message):
            left = left or message is None
    return not left


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
    params = external.protocol_params(
        submission_id=submission.id, user_id=submission.user_id, attempt=submission.attempt,
        max_points=block.max_points, course_id=block.course_id, block_id=block.id,
        lang=history.layout.language)
    form = external.grader_form(
        submission.answer if isinstance(submission.answer, dict) else {}, params)
    try:
        reply = await external.request_grade(block.grader_url or "", form, params)
    except external.ExternalGraderError as exc:
        runs = submission.grader_runs
        log.warning("submission %s: external grader failed (run %d): %s", submission.id,
                    runs, exc)
        if runs <= external.retries() and runs < limits.current().max_runs:
            await _retry_later(submission, external.retry_delay(runs), history)
            return
        await record_error(submission, "The grader for this exercise did not answer. This "
                           "attempt does not count; please submit again later.",
                           history=history)
        return
    if reply is not None:
        await record_external_reply(submission, reply, history=history)
        return
    # Accepted: the grader posts the result to the submission URL later. Mark it so no
    # job or sweep asks the grader again; the sweeper gives up after the async timeout.
    await Submission.filter(id=submission.id, status=Status.GRADING).update(
        grader_accepted_at=now())


async def _retry_later(submission: Submission, delay: float, history: BlockHistory) -> None:
    """Back to `queued`, and a job due in `delay` seconds: the backoff holds no worker."""
    due = now() + timedelta(seconds=delay)
    # enqueued_at in the future: the sweeper counts staleness from when the job is due.
    if not await _finish(submission, {"status": Status.QUEUED, "enqueued_at": due}):
        return
    await current_queue().enqueue(submission.id, delay=delay)
    await events.submission_changed(submission, history=history)


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


async def _finish(submission: Submission, changes: dict[str, Any],
                  from_statuses: tuple[Status, ...] = (Status.GRADING,)) -> bool:
    """End a `grading` attempt with these values (a conditional UPDATE, so one wins)."""
    recorded = await Submission.filter(id=submission.id, status__in=from_statuses).update(
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
                          due_at: object, reason: object = "",
                          extra_attempts: object = 0) -> Extension:
    """Give one student a later due date and/or extra attempts for one block (TAs and
    instructors). Replaces any extension they had for it; audited in ExtensionLog."""
    await require_role(actor, course_id, Role.TA)
    student = await _student(course_id, user_id)
    await graded_block(course_id, block_id)
    due = _due_at(due_at)
    extra = _extra_attempts(extra_attempts)
    if due is None and not extra:
        raise BadInput("Give a new due date, extra attempts, or both.",
                       fields={"due_at": "Required without extra attempts."})
    text = reason.strip()[:MAX_REASON] if isinstance(reason, str) else ""
    ext, created = await Extension.get_or_create(
        user_id=student.id, course_id=course_id, block_id=block_id,
        defaults={"due_at": due, "extra_attempts": extra, "reason": text,
                  "granted_by_id": actor.id})
    if not created:
        ext.due_at, ext.extra_attempts = due, extra  # type: ignore[assignment]
        ext.reason, ext.granted_by_id = text, actor.id  # type: ignore[assignment]
        await ext.save()
    await ExtensionLog.create(course_id=course_id, user_id=student.id, block_id=block_id,
                              action="granted", due_at=due, extra_attempts=extra,
                              reason=text, by_id=actor.id)
    await events.block_state_changed(student.id, course_id, block_id)
    return ext


def _due_at(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    parsed: object = value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if not isinstance(parsed, datetime):
        raise BadInput("Give the new due date as 2026-03-01T23:59:00Z.",
                       fields={"due_at": "Invalid date."})
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


MAX_EXTRA_ATTEMPTS = 100


def _extra_attempts(value: object) -> int:
    if value is None or value == "":
        return 0
    text = value.strip() if isinstance(value, str) else None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif text is not None and text.isascii() and text.isdigit() and len(text) <= 3:
        number = int(text)
    if number is None or not 0 <= number <= MAX_EXTRA_ATTEMPTS:
        raise BadInput(f"Extra attempts must be a whole number from 0 to "
                       f"{MAX_EXTRA_ATTEMPTS}.", fields={"extra_attempts": "Invalid."})
    return number


async def list_extensions(actor: User, course_id: str) -> list[Extension]:
    """The course's extensions in force, newest first (TAs and instructors)."""
    await require_role(actor, course_id, Role.TA)
    return await Extension.filter(course_id=course_id).order_by("-granted_at").prefetch_related(
        "user", "granted_by").limit(500)


async def extension_log(actor: User, course_id: str) -> list[ExtensionLog]:
    """The audit trail of grants and revocations, newest first."""
    await require_role(actor, course_id, Role.TA)
    return await ExtensionLog.filter(course_id=course_id).order_by("-id").prefetch_related(
        "user", "by").limit(200)


async def revoke_extension(actor: User, course_id: str, extension_id: object,
                           reason: object = "") -> None:
    """Take an extension back: the block's own due date and attempts apply again."""
    await require_role(actor, course_id, Role.TA)
    number = parse_id(extension_id)
    ext = None if number is None else await Extension.get_or_none(id=number,
                                                                   course_id=course_id)
    if ext is None:
        raise NotFound("No such extension in this course.")
    text = reason.strip()[:MAX_REASON] if isinstance(reason, str) else ""
    deleted = await Extension.filter(id=ext.id).delete()
    if not deleted:
        raise NotFound("No such extension in this course.")
    await ExtensionLog.create(course_id=course_id, user_id=ext.user_id, block_id=ext.block_id,
                              action="revoked", due_at=ext.due_at,
                              extra_attempts=ext.extra_attempts, reason=text, by_id=actor.id)
    await events.block_state_changed(ext.user_id, course_id, ext.block_id)


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

