"""Reading peer review: what a student's panels and the staff board show, a result, an
assignment or response the caller may see. Pages, JSON, pushed fragments and resync all
read through here, so a live page equals a fresh load."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.errors import CoursewireError, NotFound
from core.i18n import gettext as _
from courses.service import require_role
from models.courses import Role
from models.peer_review import (
    AssignmentStatus,
    Kind,
    PeerAssignment,
    PeerResponse,
    PeerReviewer,
    ResponseStatus,
)
from models.users import User
from peer_review import clocks
from peer_review.blocks import peer_block
from peer_review.presenters import Board, BoardRow, StudentView, result_json, reviewer_file_name


async def my_response(user_id: int, course_id: str, block_id: str) -> PeerResponse | None:
    return await PeerResponse.filter(author_id=user_id, course_id=course_id,
                                     block_id=block_id).order_by("-id").first()


async def assessments_given(user_id: int, course_id: str, block_id: str) -> int:
    return await PeerAssignment.filter(reviewer_id=user_id, course_id=course_id,
                                       block_id=block_id, kind=Kind.PEER,
                                       status=AssignmentStatus.DONE).count()


BOARD_ROWS = 100


async def student_view(user_id: int, course_id: str, block_id: str) -> StudentView:
    block = await peer_block(course_id, block_id)
    response = await my_response(user_id, course_id, block_id)
    given = await assessments_given(user_id, course_id, block_id)
    current = await PeerAssignment.filter(
        course_id=course_id, block_id=block_id, reviewer_id=user_id, kind=Kind.PEER,
        status=AssignmentStatus.OPEN).order_by("id").first()
    text, has_file, file_name = "", False, ""
    if current is not None:
        leased = await PeerResponse.get(id=current.response_id)
        text, has_file = leased.text, leased.file_name is not None
        file_name = reviewer_file_name(leased.file_name) if leased.file_name else ""
    waiting = await PeerReviewer.exists(course_id=course_id, block_id=block_id,
                                        reviewer_id=user_id,
                                        waiting_since__gte=clocks.waiting_after(datetime.now(UTC)))
    own = None
    result = None
    if response is not None:
        own = await PeerAssignment.get_or_none(response_id=response.id, kind=Kind.SELF)
        result = result_json(response, block, given, own is not None)
    return StudentView(block, response, result, given, current, text, has_file, file_name,
                       waiting and current is None, own)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def board_view(course_id: str, block_id: str, at: datetime | None = None) -> Board:
    """The staff progress board: who waits, who is stuck, who is short of graded_by."""
    block = await peer_block(course_id, block_id)
    at = at or datetime.now(UTC)
    responses = await PeerResponse.filter(course_id=course_id, block_id=block_id).order_by(
        "submitted_at", "id")
    authors = {u.id: u.name for u in await User.filter(
        id__in={r.author_id for r in responses})}
    open_leases = await PeerAssignment.filter(course_id=course_id, block_id=block_id,
                                              kind=Kind.PEER, status=AssignmentStatus.OPEN)
    waiters = await PeerReviewer.filter(course_id=course_id, block_id=block_id,
                                        waiting_since__gte=clocks.waiting_after(at)).order_by(
        "waiting_since")
    people = {u.id: u.name for u in await User.filter(
        id__in={a.reviewer_id for a in open_leases} | {w.reviewer_id for w in waiters})}
    leases_of: dict[int, list[str]] = {}
    for a in open_leases:
        leases_of.setdefault(a.response_id, []).append(people.get(a.reviewer_id, "?"))
    short = [r for r in responses
             if r.status == ResponseStatus.ACTIVE and r.received < block.graded_by]
    rows = [BoardRow(r.id, authors.get(r.author_id, "?"), r.received,
                     sorted(leases_of.get(r.id, [])), _utc(r.submitted_at), r.status.value)
            for r in short[:BOARD_ROWS]]
    stuck = sorted(((people.get(a.reviewer_id, "?"), _utc(a.leased_at), a.response_id)
                    for a in open_leases if at - _utc(a.leased_at) > clocks.STUCK_AFTER),
                   key=lambda s: s[1])
    return Board(
        block=block, total=len(responses),
        graded=sum(1 for r in responses if r.scored_at is not None),
        short=rows, short_count=len(short),
        waiting=[(people.get(w.reviewer_id, "?"), _utc(w.waiting_since))
                 for w in waiters if w.waiting_since],
        stuck=stuck,
        cancelled=sum(1 for r in responses if r.status == ResponseStatus.CANCELLED),
        received_counts=_received_counts(responses, block.graded_by))


def _received_counts(responses: list[PeerResponse], graded_by: int) -> list[int]:
    counts = [0] * (graded_by + 1)
    for r in responses:
        if r.status == ResponseStatus.ACTIVE:
            counts[min(r.received, graded_by)] += 1
    return counts


async def result_for(user: User, course_id: str, block_id: str) -> dict[str, Any]:
    """The author's result: {status, points, per_criterion} (the API contract)."""
    await require_role(user, course_id, Role.STUDENT)
    block = await peer_block(course_id, block_id)
    response = await my_response(user.id, course_id, block_id)
    if response is None:
        raise NotFound(_("You have not submitted a response to this peer review."))
    given = await assessments_given(user.id, course_id, block_id)
    self_done = await PeerAssignment.exists(response_id=response.id, kind=Kind.SELF,
                                            status=AssignmentStatus.DONE)
    return result_json(response, block, given, self_done)


async def get_assignment(user: User, assignment_id: int) -> PeerAssignment:
    assignment = await PeerAssignment.get_or_none(id=assignment_id, reviewer_id=user.id)
    if assignment is None:
        raise NotFound(_("No assignment %(assignment_id)s.", assignment_id=assignment_id))
    return assignment


async def staff_response(actor: User, response_id: int) -> PeerResponse:
    response = await PeerResponse.get_or_none(id=response_id)
    if response is None:
        raise NotFound(_("No response %(response_id)s.", response_id=response_id))
    try:
        await require_role(actor, response.course_id, Role.TA)
    except CoursewireError:
        raise NotFound(_("No response %(response_id)s.", response_id=response_id)) from None
    return response
