"""What the peer review pages show, read from the database (pages and pushed fragments
render from these same objects, so a live page equals a fresh load)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from models.peer_review import (
    AssignmentStatus,
    Kind,
    PeerAssignment,
    PeerResponse,
    PeerReviewer,
    ResponseStatus,
)
from models.users import User
from peer_review.blocks import PeerBlock, peer_block
from peer_review.events import reviewer_file_name
from peer_review.results import assessments_given, my_response, result_json

STUCK_AFTER = timedelta(hours=1)
BOARD_ROWS = 100


@dataclass(frozen=True)
class StudentView:
    block: PeerBlock
    response: PeerResponse | None
    result: dict[str, Any] | None
    given: int
    current: PeerAssignment | None  # the open lease, if any
    current_text: str
    current_file: bool
    current_file_name: str  # generic ("response.pdf"): the author's file name may name them
    waiting: bool
    self_assessment: PeerAssignment | None

    @property
    def course_id(self) -> str:
        return self.block.course_id


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
                                        waiting_since__gte=waiting_after(datetime.now(UTC)))
    own = None
    result = None
    if response is not None:
        own = await PeerAssignment.get_or_none(response_id=response.id, kind=Kind.SELF)
        result = result_json(response, block, given, own is not None)
    return StudentView(block, response, result, given, current, text, has_file, file_name,
                       waiting and current is None, own)


@dataclass(frozen=True)
class BoardRow:
    response_id: int
    author: str
    received: int
    leases: list[str]
    submitted_at: datetime
    status: str


@dataclass(frozen=True)
class Board:
    block: PeerBlock
    total: int
    graded: int
    short: list[BoardRow]  # active, fewer than graded_by assessments
    short_count: int
    waiting: list[tuple[str, datetime]]
    stuck: list[tuple[str, datetime, int]]  # reviewer, leased at, response id
    cancelled: int
    # Active responses by assessments received: index k holds those with k reviews; the
    # last bucket holds graded_by or more.
    received_counts: list[int]

    @property
    def course_id(self) -> str:
        return self.block.course_id

    @property
    def received_chart(self) -> dict[str, Any]:
        """The histogram of received_counts, as the page's bar chart draws it."""
        last = len(self.received_counts) - 1
        labels = [f"{k}+" if k == last else str(k) for k in range(last + 1)]
        return {"type": "bar", "label": "Responses", "labels": labels,
                "values": self.received_counts,
                "x_title": "Reviews received", "y_title": "Responses"}


def waiting_after(at: datetime) -> datetime:
    from peer_review.service import waiting_after as cutoff

    return cutoff(at)


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
                                        waiting_since__gte=waiting_after(at)).order_by(
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
                    for a in open_leases if at - _utc(a.leased_at) > STUCK_AFTER),
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


def board_summary(board: Board) -> dict[str, Any]:
    return {"course_id": board.course_id, "block_id": board.block.id,
            "responses": board.total, "graded": board.graded,
            "short_of_graded_by": board.short_count, "waiting": len(board.waiting),
            "stuck": len(board.stuck), "cancelled": board.cancelled}
