"""What each audience sees of peer review. Reviewers never see who wrote a response (an
attached file is called "response.<ext>"); authors never see who reviewed them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.peer_review import (
    PeerAssignment,
    PeerResponse,
    ResponseStatus,
)
from peer_review.blocks import PeerBlock
from peer_review.payloads import (
    AssignmentPayload,
    BoardSummary,
    ResultPayload,
    ResultStatus,
    ReviewedAnswer,
)


def reviewer_file_name(original: str) -> str:
    """The name reviewers see for an attached file: "response" plus the original's
    extension. Authors often name files after themselves ("smith_essay.pdf")."""
    stem, dot, ext = original.rpartition(".")
    ext = ext.lower() if dot and stem and ext.isascii() and ext.isalnum() and len(ext) <= 8 \
        else ""
    return f"response.{ext}" if ext else "response"


def assignment_json(assignment: PeerAssignment, response: PeerResponse,
                    block: PeerBlock) -> AssignmentPayload:
    """What a reviewer sees of a response: the answer only, never who wrote it."""
    answer: ReviewedAnswer = {"text": response.text}
    if response.file_name:
        answer["file"] = {"name": reviewer_file_name(response.file_name),
                          "url": f"/api/v1/peer-review/assignments/{assignment.id}/file"}
    return {"id": assignment.id, "course_id": assignment.course_id,
            "block_id": assignment.block_id, "submission": {"answer": answer},
            "rubric": block.rubric.as_json(),
            "due_at": block.due_at.isoformat() if block.due_at else None,
            "expires_at": assignment.expires_at.isoformat() if assignment.expires_at else None}


def result_status(response: PeerResponse, block: PeerBlock, given: int,
                  self_done: bool) -> ResultStatus:
    if response.status == ResponseStatus.CANCELLED:
        return "cancelled"
    if response.scored_at is not None:
        return "graded"
    if given < block.must_grade:
        return "waiting_for_your_reviews"
    if block.self_assessment and not self_done:
        return "waiting_for_self_assessment"
    return "waiting_for_peer_reviews"


def result_json(response: PeerResponse, block: PeerBlock, given: int,
                self_done: bool) -> ResultPayload:
    status = result_status(response, block, given, self_done)
    graded = status == "graded"
    return {"course_id": response.course_id, "block_id": response.block_id,
            "status": status, "points": response.points if graded else None,
            "max_points": block.max_points,
            "per_criterion": response.per_criterion if graded else None,
            # The reviewers' overall comments (never who wrote which), once graded.
            "feedback": list(response.feedback or []) if graded else None,
            "reviews_received": response.received, "reviews_required": block.graded_by,
            "reviews_given": given, "must_grade": block.must_grade}


@dataclass(frozen=True)
class StudentView:
    block: PeerBlock
    response: PeerResponse | None
    result: ResultPayload | None
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


def board_summary(board: Board) -> BoardSummary:
    return {"course_id": board.course_id, "block_id": board.block.id,
            "responses": board.total, "graded": board.graded,
            "short_of_graded_by": board.short_count, "waiting": len(board.waiting),
            "stuck": len(board.stuck), "cancelled": board.cancelled}
