"""Submitting an answer: the checks before anything is stored (answer, deadline and late
policy, attempts, cooldown), the new attempt, and handing it to its grader.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import InvalidState, NotFound
from core.human_time import human_time, iso_utc
from core.i18n import gettext as _
from courses.service import require_member
from courses.visibility import require_open_to
from grading import at_once, events
from grading.block_state import ATTEMPT_COLUMNS, Attempt, block_history, deadline_for
from grading.block_types import Attachment, BlockType, current_block_types
from grading.course_blocks import BUILT_IN, GradedBlock, published_block
from grading.grade_job import grade_after_submit
from grading.graders import validate_answer
from grading.graders.answers import code_answer, numeric_value, text_answer
from grading.queue import current_queue
from grading.results import IN_FLIGHT, give_up_overdue
from models.courses import Role
from models.grading import Status, Submission
from models.users import User

log = logging.getLogger("coursewire.grading")


def _validate(block: GradedBlock, answer: Any, hooks: BlockType | None) -> None:
    if hooks is not None:  # a type another domain scores checks its own answers
        hooks.validate(block, answer)
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
                        attachment: Attachment | None = None) -> Submission:
    """Store a student's answer as a new attempt and queue it for grading, or, for a
    block type another domain scores (grading.block_types), hand it to that domain (and,
    for one with a `grade` hook, queue it too: the job calls the hook).

    `attachment`: a file handed on with the answer to that domain's `submitted` hook
    (e.g. a peer_review response's file, which peer_review checks).

    Malformed or oversized answers (BadInput/TooLarge), a closed deadline under the
    reject policy, used-up attempts, or an attempt still being graded (InvalidState)
    are refused before anything is stored: no attempt is used up.
    """
    # One statement for the role, the audience and the group (release, course end).
    member = await require_member(user, course_id, Role.STUDENT)
    await require_open_to(member.audience, course_id, block_id)
    layout, block = await published_block(course_id, block_id)
    policy = layout.policy
    hooks = current_block_types().get(block.type)
    if hooks is None and block.type not in BUILT_IN:  # neither graded here nor registered
        raise NotFound(_("%(block_id)s takes no submissions.", block_id=repr(block_id)))
    _validate(block, answer, hooks)
    submitted = now()
    deadline = await deadline_for(user.id, block, member.group)
    late = deadline.due_at is not None and submitted > deadline.due_at + policy.late.grace
    if late and policy.late.mode == "reject":
        raise InvalidState(_("This was due %(when)s; late submissions are not accepted.",
                             when=human_time(deadline.due_at, user.timezone)),
                           fields={"due_at": iso_utc(deadline.due_at)})
    previous = await _attempts(user.id, course_id, block_id)
    # A domain's own type decides when another attempt may come (a quiz: one in progress).
    if hooks is None and any(a.status in IN_FLIGHT for a in previous):
        # One stuck past the limits is given up now rather than at the next sweep.
        if not await give_up_overdue([a.id for a in previous if a.status in IN_FLIGHT]):
            raise InvalidState(_("Your previous attempt is still being graded; "
                                 "wait for its result."))
        previous = await _attempts(user.id, course_id, block_id)
    counted = [a for a in previous if a.status != Status.ERROR]
    if hooks is not None and hooks.once and counted:
        raise InvalidState(hooks.once)
    allowed = (None if block.max_attempts is None
               else block.max_attempts + deadline.extra_attempts)
    if allowed is not None and len(counted) >= allowed:
        raise InvalidState(_("You have used all %(allowed)s attempts.", allowed=allowed),
                           fields={"max_attempts": allowed})
    if block.cooldown and counted:
        await _check_cooldown(block, [a.id for a in counted], submitted)
    status = hooks.waits_in if hooks is not None and not hooks.queued else Status.QUEUED
    history = await block_history(user.id, layout, block, attempts=previous,
                                  deadline=deadline)
    try:
        async with in_transaction():  # the attempt and its events commit together
            submission = await Submission.create(
                user_id=user.id, course_id=course_id, block_id=block_id,
                block_type=block.type, answer=answer, status=status,
                attempt=max((a.attempt for a in previous), default=0) + 1,
                max_points=block.max_points, late=late,
                late_penalty=policy.late.penalty if late else 0.0,
                enqueued_at=submitted if status == Status.QUEUED else None)
            await events.submission_changed(submission, history=history, user=user)
    except IntegrityError:
        raise InvalidState(_("Another attempt was submitted at the same moment; "
                             "wait for its result.")) from None
    if hooks is not None:  # e.g. into the peer review queue (peer_review/), before the job
        await hooks.submitted(submission, attachment)
    if status == Status.QUEUED:
        if at_once.applies_to(block):
            at_once.start(partial(grade_after_submit, submission, history, user))
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
        raise InvalidState(_("Wait %(wait)s s before your next attempt (this exercise asks for "
                             "%(cooldown)s s between attempts).",
                             wait=wait, cooldown=int(block.cooldown.total_seconds())),
                           fields={"retry_after": wait})
