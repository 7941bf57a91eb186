"""Responses: a student's answer entering the queue (through grading), and staff
withdrawing one. Each action and its events (peer_review.events) commit in one transaction:
the outbox sends them once it commits."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import BadInput, Conflict
from core.i18n import gettext as _
from grading.api import Attachment, announce_submission, submit_answer, withdraw_submission
from models.peer_review import (
    AssignmentStatus,
    PeerAssignment,
    PeerResponse,
    ResponseStatus,
)
from models.users import User
from peer_review import events, leases
from peer_review.assignment import assign_waiting
from peer_review.blocks import peer_block
from peer_review.queries import staff_response

log = logging.getLogger("coursewire.peer_review")


MAX_FILE_BYTES = 900_000


class StoredAttempt(Protocol):
    """What grading hands the `submitted` hook: the stored attempt, read here, never
    written (grading owns it)."""

    id: int
    course_id: str
    block_id: str
    user_id: int
    answer: Any
    submitted_at: datetime | None


async def submission_received(submission: StoredAttempt,
                              attachment: Attachment | None = None
                              ) -> PeerResponse:
    """grading's hook: a peer_review submission was stored; put it in the queue.

    `attachment` (name, content type, bytes) is stored in the same insert as the text, so
    a response is never eligible, leased or pushed without its file."""
    text = submission.answer.get("text", "") if isinstance(submission.answer, dict) else ""
    defaults: dict[str, Any] = {
        "course_id": submission.course_id, "block_id": submission.block_id,
        "author_id": submission.user_id, "text": text,
        "submitted_at": submission.submitted_at or now()}
    if attachment is not None:
        name, kind, data = attachment
        defaults |= {"file_name": name[:255], "file_type": kind[:100], "file_data": data}
    async with in_transaction():  # the response and its event commit together
        response, created = await PeerResponse.get_or_create(submission_id=submission.id,
                                                             defaults=defaults)
        if created:
            await events.mine_changed(response.course_id, response.block_id,
                                      response.author_id)
    if created:
        try:
            await assign_waiting(response.course_id, response.block_id)
            await events.board_changed(response.course_id, response.block_id)
        except Exception:  # queued and committed; the sweeper's next round assigns it
            log.exception("peer review: could not assign response %s yet", response.id)
    return response


async def submit_response(user: User, course_id: str, block_id: str, text: object,
                          file: tuple[str, str, bytes] | None = None) -> PeerResponse:
    """A student submits their response (through grading, so the attempt is recorded),
    with its optional file: both are committed before anyone may be given the response."""
    block = await peer_block(course_id, block_id)
    if file is not None:
        if not block.allow_file:
            raise BadInput(_("This peer review takes no files."),
                           fields={"file": _("Not allowed.")})
        if len(file[2]) > MAX_FILE_BYTES:
            raise BadInput(_("Keep the file under %(limit)s kB.", limit=MAX_FILE_BYTES // 1000),
                           fields={"file": _("Too large.")})
    submission = await submit_answer(user, course_id, block_id, {"text": text},
                                     attachment=file)
    return await submission_received(submission)  # already queued by grading's hook


async def cancel_response(actor: User, response_id: int, reason: object) -> PeerResponse:
    """Staff withdraw a response from peer review; open leases on it end, a score it had
    leaves the gradebook (the response keeps who cancelled, when, why and the withdrawn
    points), and the student may submit again (the grading attempt is closed with the
    reason)."""
    response = await staff_response(actor, response_id)
    why = reason.strip() if isinstance(reason, str) else ""
    if not why:
        raise BadInput(_("Give a reason; the student sees it."), fields={"reason": _("Required.")})
    at = now()
    async with in_transaction() as conn:
        moved = await PeerResponse.filter(id=response.id, status=ResponseStatus.ACTIVE
                                          ).using_db(conn).update(
            status=ResponseStatus.CANCELLED, cancelled_reason=why[:2000],
            cancelled_by_id=actor.id, cancelled_at=at)
        if not moved:
            raise Conflict(_("This response is already cancelled."))
        # grading ends the attempt as an error: it no longer counts in the gradebook and
        # does not use up the student's one response.
        withdrawn = await withdraw_submission(
            response.submission_id, f"Removed from peer review by staff: {why}", at=at,
            connection=conn)
        await PeerResponse.filter(id=response.id).using_db(conn).update(
            withdrawn_points=withdrawn)
        holders = await PeerAssignment.filter(response_id=response.id,
                                              status=AssignmentStatus.OPEN).using_db(conn)
        for assignment in holders:
            await leases.release(assignment, AssignmentStatus.CANCELLED, conn)
        await announce_submission(response.submission_id, graded=False)
        for assignment in holders:
            await events.work_changed(response.course_id, response.block_id,
                                      assignment.reviewer_id)
        await response.refresh_from_db(using_db=conn)
        await events.mine_changed(response.course_id, response.block_id, response.author_id)
        await events.board_changed(response.course_id, response.block_id)
    log.info("peer review: response %s cancelled by user %s (withdrawn points: %s): %s",
             response.id, actor.id, withdrawn, why)
    return response
