"""Peer review actions. Each commits first, then publishes (peer_review.events).

The flow: a student's response arrives from grading (`submission_received`); reviewers
ask for work (`request_review`): they get the fairest eligible response on a lease, or
wait; whenever a response becomes eligible (a new one, an expired lease) the assigner
(`assign_waiting`) hands it to one waiting reviewer and pushes it to their page.
Assessments (`submit_assessment`, `self_assess`, `staff_assess`) release the author's
score once enough exist (`release_score`), which also lands in the gradebook.
Clocks (`Timing`, from settings): work pushed to a waiter is held on a short first lease
until they open it; waits end after a limit; peer_review.alarm acts on expiries, ended
waits and stuck leases when they fall due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app.courses.service import require_role
from app.errors import BadInput, Conflict, CoursewireError, InvalidState, NotFound
from app.settings import Settings
from models.courses import Role
from models.grading import Status, Submission
from models.peer_review import (
    AssignmentStatus,
    Kind,
    PeerAssignment,
    PeerResponse,
    PeerReviewer,
    ResponseStatus,
)
from models.users import User
from peer_review import alarm, events, queue
from peer_review.blocks import PeerBlock, peer_block
from peer_review.results import (
    assessments_given,
    my_response,
    release_score,
    result_json,
    submission_event,
)
from peer_review.scoring import check_assessment

log = logging.getLogger("coursewire.peer_review")

MAX_FILE_BYTES = 900_000
WAITERS_PER_ROUND = 200


@dataclass(frozen=True)
class Timing:
    """The queue's clocks (from settings): the full lease, the short first lease of work
    pushed to a waiter until they open it, how long a reviewer waits, how long allocated
    reviews stay theirs."""

    lease: timedelta = timedelta(hours=8)
    first_open: timedelta = timedelta(minutes=15)
    wait: timedelta = timedelta(hours=2)
    allocated: timedelta = timedelta(days=7)


_timing = Timing()


def configure(settings: Settings) -> None:
    """Take the queue's clocks from settings (the runtime calls this at start-up)."""
    global _timing
    _timing = Timing(lease=timedelta(hours=settings.peer_review_lease_hours),
                     first_open=timedelta(minutes=settings.peer_review_first_open_minutes),
                     wait=timedelta(hours=settings.peer_review_wait_hours),
                     allocated=timedelta(days=settings.peer_review_allocated_days))


def timing() -> Timing:
    return _timing


def lease_length() -> timedelta:
    return _timing.lease


def now() -> datetime:
    return datetime.now(UTC)


class _NothingEligible(Exception):
    """Rolls back an assigner attempt so the reviewer keeps waiting."""


# -- responses -----------------------------------------------------------------------

async def submission_received(submission: Submission,
                              attachment: tuple[str, str, bytes] | None = None
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
    response, created = await PeerResponse.get_or_create(submission_id=submission.id,
                                                         defaults=defaults)
    if created:
        try:
            await events.mine_changed(response.course_id, response.block_id,
                                      response.author_id)
            await assign_waiting(response.course_id, response.block_id)
            await events.board_changed(response.course_id, response.block_id)
        except Exception:  # queued and committed; the sweeper's next round assigns it
            log.exception("peer review: could not assign response %s yet", response.id)
    return response


async def submit_response(user: User, course_id: str, block_id: str, text: object,
                          file: tuple[str, str, bytes] | None = None) -> PeerResponse:
    """A student submits their response (through grading, so the attempt is recorded),
    with its optional file: both are committed before anyone may be given the response."""
    from grading.service import submit_answer

    block = await peer_block(course_id, block_id)
    if file is not None:
        if not block.allow_file:
            raise BadInput("This peer review takes no files.", fields={"file": "Not allowed."})
        if len(file[2]) > MAX_FILE_BYTES:
            raise BadInput(f"Keep the file under {MAX_FILE_BYTES // 1000} kB.",
                           fields={"file": "Too large."})
    submission = await submit_answer(user, course_id, block_id, {"text": text},
                                     peer_attachment=file)
    return await submission_received(submission)  # already queued by grading's hook


# -- the queue -----------------------------------------------------------------------

async def review_cap(block: PeerBlock, reviewer_id: int) -> int | None:
    """graded_by, or None while the reviewer still owes reviews (may over-grade)."""
    given = await assessments_given(reviewer_id, block.course_id, block.id)
    return None if given < block.must_grade else block.graded_by


async def lease_next(block: PeerBlock, reviewer_id: int, *,
                     at: datetime | None = None) -> PeerAssignment | None:
    """The reviewer's open lease, or a newly leased response, or None.

    Asking again does not extend a lease; the first time a reviewer opens work that was
    pushed to them (on a short first lease) it gets the full lease from then.
    One transaction; see peer_review.queue for why this is safe under concurrency.
    """
    at = at or now()
    course_id, block_id = block.course_id, block.id
    cap = await review_cap(block, reviewer_id)
    row = await queue.reviewer_row(course_id, block_id, reviewer_id)
    async with in_transaction() as conn:
        await queue.take_turn(row.id, conn)
        current = await queue.open_lease(course_id, block_id, reviewer_id, conn)
        if current is not None:
            await _mark_opened(current, at, conn)
            return current
        response_id = await queue.claim_response(course_id, block_id, reviewer_id, conn, cap)
        if response_id is None:
            return None
        assignment = await queue.lease(response_id, course_id, block_id, reviewer_id, at,
                                       _timing.lease, conn)
        await PeerReviewer.filter(id=row.id).using_db(conn).update(waiting_since=None)
    alarm.arm_for(assignment)
    return assignment


async def _mark_opened(assignment: PeerAssignment, at: datetime, conn: Any) -> bool:
    """The reviewer sees the work now: its full lease starts (once)."""
    if assignment.opened_at is not None:
        return False
    moved = await PeerAssignment.filter(id=assignment.id, opened_at__isnull=True,
                                        status=AssignmentStatus.OPEN).using_db(conn).update(
        opened_at=at, expires_at=at + _timing.lease)
    if moved:
        assignment.opened_at, assignment.expires_at = at, at + _timing.lease
    return bool(moved)


async def open_assignment(user: User, assignment_id: int) -> PeerAssignment:
    """The reviewer opened work pushed to them (their page shows it and they started on
    it): the short first lease becomes the full one. Idempotent."""
    assignment = await get_assignment(user, assignment_id)
    if assignment.status == AssignmentStatus.OPEN:
        async with in_transaction() as conn:
            await _mark_opened(assignment, now(), conn)
    return assignment


async def _require_reviewer(user: User, course_id: str, block_id: str) -> PeerBlock:
    await require_role(user, course_id, Role.STUDENT)
    block = await peer_block(course_id, block_id)
    if await my_response(user.id, course_id, block_id) is None:
        raise InvalidState("Submit your own response before reviewing others.")
    return block


async def request_review(user: User, course_id: str, block_id: str) -> PeerAssignment | None:
    """Give the caller work: their open lease, or the fairest eligible response.

    None means nothing is eligible: the caller is now waiting (for at most the wait
    setting), and the next eligible response is leased to a waiting reviewer and pushed as
    `peer_review.assigned`.
    """
    block = await _require_reviewer(user, course_id, block_id)
    assignment = await lease_next(block, user.id)
    if assignment is not None:
        await events.board_changed(course_id, block_id)
        return assignment
    since = now()
    # Asking again keeps one's place in line, unless the wait had run out.
    mine = PeerReviewer.filter(course_id=course_id, block_id=block_id, reviewer_id=user.id)
    await mine.filter(waiting_since__isnull=True).update(waiting_since=since)
    await mine.filter(waiting_since__lt=waiting_after(since)).update(waiting_since=since)
    alarm.arm(since + _timing.wait)
    # A response committed after our pick but before we were recorded as waiting saw no
    # waiter; look again now that we are one.
    await assign_waiting(course_id, block_id)
    await events.board_changed(course_id, block_id)
    return None


def waiting_after(at: datetime) -> datetime:
    """Reviewers who started waiting before this have given up (the wait setting)."""
    return at - _timing.wait


async def _assign_one(waiter: PeerReviewer, block: PeerBlock) -> PeerAssignment | None:
    cap = await review_cap(block, waiter.reviewer_id)
    try:
        async with in_transaction() as conn:
            if not await queue.take_turn(waiter.id, conn, from_waiting=True):
                return None  # another process handed this reviewer work first
            current = await queue.open_lease(waiter.course_id, waiter.block_id,
                                             waiter.reviewer_id, conn)
            if current is not None:
                return current
            response_id = await queue.claim_response(waiter.course_id, waiter.block_id,
                                                     waiter.reviewer_id, conn, cap)
            if response_id is None:
                raise _NothingEligible
            # Pushed, not yet seen: a short first lease, so a reviewer who walked away
            # holds it up for minutes, not hours.
            assignment = await queue.lease(
                response_id, waiter.course_id, waiter.block_id, waiter.reviewer_id, now(),
                min(_timing.first_open, _timing.lease), conn, opened=False)
    except _NothingEligible:
        return None
    alarm.arm_for(assignment)
    return assignment


async def assign_waiting(course_id: str, block_id: str) -> list[PeerAssignment]:
    """Hand eligible responses to waiting reviewers, longest-waiting first, and push each
    assignment to that reviewer's pages. Safe to run in several processes at once: taking
    a waiter is a conditional update, so each waiter is assigned by exactly one of them.
    Reviewers who have waited longer than the wait setting are not served (they left)."""
    waiters = await PeerReviewer.filter(
        course_id=course_id, block_id=block_id, waiting_since__isnull=False,
        waiting_since__gte=waiting_after(now())).order_by(
        "waiting_since", "id").limit(WAITERS_PER_ROUND)
    if not waiters:
        return []
    block = await peer_block(course_id, block_id)
    assigned = []
    for waiter in waiters:
        assignment = await _assign_one(waiter, block)
        if assignment is not None:
            assigned.append(assignment)
            await events.assigned(assignment)
    if assigned:
        await events.board_changed(course_id, block_id)
    return assigned


async def _each_block(blocks: set[tuple[str, str]], step: Any, what: str) -> None:
    # One block gone (unpublished, deleted) must not stall the others.
    for course_id, block_id in sorted(blocks):
        try:
            await step(course_id, block_id)
        except Exception:
            log.exception("peer review: could not %s in %s/%s", what, course_id, block_id)


async def _after_expiry(course_id: str, block_id: str) -> None:
    await assign_waiting(course_id, block_id)
    await events.board_changed(course_id, block_id)


async def expire_leases(at: datetime | None = None) -> int:
    """Return expired leases to the queue and give them to waiting reviewers."""
    at = at or now()
    stale = await PeerAssignment.filter(status=AssignmentStatus.OPEN, expires_at__lt=at
                                        ).limit(1000)
    blocks: set[tuple[str, str]] = set()
    for assignment in stale:
        async with in_transaction() as conn:
            released = await queue.release(assignment, AssignmentStatus.EXPIRED, conn)
        if released:
            blocks.add((assignment.course_id, assignment.block_id))
            try:
                await events.work_changed(assignment.course_id, assignment.block_id,
                                          assignment.reviewer_id)
            except Exception:
                log.exception("peer review: could not push the end of lease %s",
                              assignment.id)
    await _each_block(blocks, _after_expiry, "hand out expired leases")
    return len(stale)


async def end_stale_waits(at: datetime | None = None) -> int:
    """Reviewers who waited longer than the wait setting stop waiting (they are no longer
    first in line for work they would not see); their pages and the board say so."""
    at = at or now()
    stale = await PeerReviewer.filter(waiting_since__isnull=False,
                                      waiting_since__lt=waiting_after(at)).limit(1000)
    blocks: set[tuple[str, str]] = set()
    for row in stale:
        if await PeerReviewer.filter(id=row.id,
                                     waiting_since__lt=waiting_after(at)).update(
                waiting_since=None):
            blocks.add((row.course_id, row.block_id))
            try:
                await events.work_changed(row.course_id, row.block_id, row.reviewer_id)
            except Exception:
                log.exception("peer review: could not push the end of a wait")
    await _each_block(blocks, events.board_changed, "update the board")
    return len(stale)


# -- assessments ---------------------------------------------------------------------

async def submit_assessment(user: User, assignment_id: int, scores: object, feedback: object,
                            criterion_feedback: object = None) -> PeerAssignment:
    """A reviewer assesses the response they hold. Conflict if already assessed."""
    assignment = await PeerAssignment.get_or_none(id=assignment_id, reviewer_id=user.id)
    if assignment is None or assignment.kind != Kind.PEER:
        raise NotFound(f"No assignment {assignment_id}.")
    if assignment.status == AssignmentStatus.DONE:
        raise Conflict("You have already assessed this response.")
    if assignment.status != AssignmentStatus.OPEN:
        raise InvalidState("This review is no longer yours: its time ran out or staff "
                           "withdrew the response. Ask for another one.")
    block = await peer_block(assignment.course_id, assignment.block_id)
    checked = check_assessment(block.rubric, scores, feedback, criterion_feedback)
    async with in_transaction() as conn:
        done = await PeerAssignment.filter(id=assignment.id, status=AssignmentStatus.OPEN
                                           ).using_db(conn).update(
            status=AssignmentStatus.DONE, completed_at=now(), scores=checked.scores,
            criterion_feedback=checked.criterion_feedback, feedback=checked.feedback,
            points=checked.points)
        if not done:
            raise Conflict("This review was closed meanwhile.")
        await PeerResponse.filter(id=assignment.response_id).using_db(conn).update(
            received=F("received") + 1)
    await assignment.refresh_from_db()
    response = await PeerResponse.get(id=assignment.response_id)
    await release_score(response, block)
    mine = await my_response(user.id, assignment.course_id, assignment.block_id)
    if mine is not None:
        await release_score(mine, block)  # the reviewer may just have done their share
    await events.work_changed(assignment.course_id, assignment.block_id, user.id)
    await events.board_changed(assignment.course_id, assignment.block_id)
    return assignment


async def _upsert_assessment(response: PeerResponse, reviewer_id: int, kind: Kind,
                             checked: Any) -> PeerAssignment:
    values = dict(kind=kind, status=AssignmentStatus.DONE, completed_at=now(),
                  scores=checked.scores, criterion_feedback=checked.criterion_feedback,
                  feedback=checked.feedback, points=checked.points)
    async with in_transaction() as conn:
        row = await PeerAssignment.filter(response_id=response.id, reviewer_id=reviewer_id
                                          ).using_db(conn).first()
        if row is None:
            return await PeerAssignment.create(
                response_id=response.id, reviewer_id=reviewer_id, course_id=response.course_id,
                block_id=response.block_id, leased_at=now(), using_db=conn, **values)
        if row.kind == Kind.PEER and row.status == AssignmentStatus.OPEN:
            await queue.release(row, AssignmentStatus.CANCELLED, conn)
        await PeerAssignment.filter(id=row.id).using_db(conn).update(**values)
        await row.refresh_from_db(using_db=conn)
        return row


async def self_assess(user: User, course_id: str, block_id: str, scores: object,
                      feedback: object, criterion_feedback: object = None) -> PeerAssignment:
    """The optional self-assessment step (shown to the author, not part of the score)."""
    await require_role(user, course_id, Role.STUDENT)
    block = await peer_block(course_id, block_id)
    if not block.self_assessment:
        raise InvalidState("This peer review has no self-assessment step.")
    response = await my_response(user.id, course_id, block_id)
    if response is None:
        raise InvalidState("Submit your response before assessing it.")
    existing = await PeerAssignment.get_or_none(response_id=response.id, reviewer_id=user.id)
    if existing is not None:
        raise Conflict("You have already assessed your own response.")
    checked = check_assessment(block.rubric, scores, feedback, criterion_feedback)
    row = await _upsert_assessment(response, user.id, Kind.SELF, checked)
    await release_score(response, block)
    await events.mine_changed(course_id, block_id, user.id)
    return row


async def staff_assess(actor: User, response_id: int, scores: object, feedback: object,
                       criterion_feedback: object = None) -> PeerAssignment:
    """Course staff assess a response; their assessment overrides the peers' score."""
    response = await _staff_response(actor, response_id)
    block = await peer_block(response.course_id, response.block_id)
    checked = check_assessment(block.rubric, scores, feedback, criterion_feedback)
    row = await _upsert_assessment(response, actor.id, Kind.STAFF, checked)
    await release_score(response, block)
    await events.board_changed(response.course_id, response.block_id)
    return row


async def cancel_response(actor: User, response_id: int, reason: object) -> PeerResponse:
    """Staff withdraw a response from peer review; open leases on it end, a score it had
    leaves the gradebook (the response keeps who cancelled, when, why and the withdrawn
    points), and the student may submit again (the grading attempt is closed with the
    reason)."""
    response = await _staff_response(actor, response_id)
    why = reason.strip() if isinstance(reason, str) else ""
    if not why:
        raise BadInput("Give a reason; the student sees it.", fields={"reason": "Required."})
    at = now()
    async with in_transaction() as conn:
        moved = await PeerResponse.filter(id=response.id, status=ResponseStatus.ACTIVE
                                          ).using_db(conn).update(
            status=ResponseStatus.CANCELLED, cancelled_reason=why[:2000],
            cancelled_by_id=actor.id, cancelled_at=at)
        if not moved:
            raise Conflict("This response is already cancelled.")
        submission = await Submission.get(id=response.submission_id).using_db(conn)
        withdrawn = submission.points if submission.status == Status.GRADED else None
        await PeerResponse.filter(id=response.id).using_db(conn).update(
            withdrawn_points=withdrawn)
        note = f"Removed from peer review by staff: {why}"
        if withdrawn is not None:
            note += f" (the score of {withdrawn:g} points was withdrawn)"
        # The attempt ends as an error: it no longer counts in the gradebook and does
        # not use up the student's one response.
        await Submission.filter(id=submission.id, status__in=[
            Status.AWAITING_PEER_REVIEW, Status.GRADED]).using_db(conn).update(
            status=Status.ERROR, points=None, raw_points=None, graded_at=at,
            error_message=note[:4000])
        holders = await PeerAssignment.filter(response_id=response.id,
                                              status=AssignmentStatus.OPEN).using_db(conn)
        for assignment in holders:
            await queue.release(assignment, AssignmentStatus.CANCELLED, conn)
    log.info("peer review: response %s cancelled by user %s (withdrawn points: %s): %s",
             response.id, actor.id, withdrawn, why)
    await submission_event(response.submission_id, graded=False)
    for assignment in holders:
        await events.work_changed(response.course_id, response.block_id,
                                  assignment.reviewer_id)
    await response.refresh_from_db()
    await events.mine_changed(response.course_id, response.block_id, response.author_id)
    await events.board_changed(response.course_id, response.block_id)
    return response


async def _staff_response(actor: User, response_id: int) -> PeerResponse:
    response = await PeerResponse.get_or_none(id=response_id)
    if response is None:
        raise NotFound(f"No response {response_id}.")
    try:
        await require_role(actor, response.course_id, Role.TA)
    except CoursewireError:
        raise NotFound(f"No response {response_id}.") from None
    return response


# -- reading -------------------------------------------------------------------------

async def result_for(user: User, course_id: str, block_id: str) -> dict[str, Any]:
    """The author's result: {status, points, per_criterion} (API.md)."""
    await require_role(user, course_id, Role.STUDENT)
    block = await peer_block(course_id, block_id)
    response = await my_response(user.id, course_id, block_id)
    if response is None:
        raise NotFound("You have not submitted a response to this peer review.")
    given = await assessments_given(user.id, course_id, block_id)
    self_done = await PeerAssignment.exists(response_id=response.id, kind=Kind.SELF,
                                            status=AssignmentStatus.DONE)
    return result_json(response, block, given, self_done)


async def get_assignment(user: User, assignment_id: int) -> PeerAssignment:
    assignment = await PeerAssignment.get_or_none(id=assignment_id, reviewer_id=user.id)
    if assignment is None:
        raise NotFound(f"No assignment {assignment_id}.")
    return assignment


def as_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
