"""Scores: when a response's score is released, and how it reaches the gradebook."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.clock import now
from grading.api import score_submission
from models.peer_review import AssignmentStatus, Kind, PeerAssignment, PeerResponse, ResponseStatus
from peer_review import events
from peer_review.blocks import PeerBlock
from peer_review.queries import assessments_given
from peer_review.scoring import required_reviews, score

log = logging.getLogger("coursewire.peer_review")


async def release_score(response: PeerResponse, block: PeerBlock, *,
                        at: datetime | None = None) -> bool:
    """Score the response if it may be scored now; True if its score changed.

    Staff assessment: scored by it, always. Otherwise the first `graded_by` peer
    assessments (fewer with flexible grading), once the author has given their
    `must_grade` and done the self-assessment if the block has one.
    """
    if response.status != ResponseStatus.ACTIVE:
        return False
    done = await PeerAssignment.filter(response_id=response.id, status=AssignmentStatus.DONE
                                       ).order_by("completed_at", "id")
    staff = [a for a in done if a.kind == Kind.STAFF]
    if staff:
        used = staff[-1:]
    else:
        peers = [a for a in done if a.kind == Kind.PEER]
        need = required_reviews(block.graded_by, response.submitted_at, at or now(),
                                block.flexible_after_days)
        if len(peers) < need or not await _author_ready(response, block, done):
            return False
        used = peers[:block.graded_by]
    result = score(block.rubric, [{"scores": a.scores, "criterion_feedback":
                                   a.criterion_feedback, "feedback": a.feedback} for a in used],
                   "median" if staff else block.scoring)
    per = [c.as_json() for c in result.per_criterion]
    if response.scored_at is not None and response.points == result.points and \
            response.per_criterion == per and response.feedback == result.feedback:
        return False
    async with in_transaction():  # the score, the grade and their events commit together
        await PeerResponse.filter(id=response.id).update(
            points=result.points, per_criterion=per, feedback=result.feedback,
            scored_at=now())
        await response.refresh_from_db()
        await _record_grade(response, result.points, result.max_points, result.feedback,
                            by_staff=bool(staff))
        await events.result_changed(response)
        await events.board_changed(response.course_id, response.block_id)
    return True


async def _author_ready(response: PeerResponse, block: PeerBlock,
                        done: list[PeerAssignment]) -> bool:
    if block.self_assessment and not any(a.kind == Kind.SELF for a in done):
        return False
    given = await assessments_given(response.author_id, response.course_id, response.block_id)
    return given >= block.must_grade


async def _record_grade(response: PeerResponse, points: float, max_points: float,
                        overall: list[str], *, by_staff: bool) -> None:
    """The score flows into the gradebook as the grading submission's grade (grading
    rescales it and applies the late policy)."""
    feedback: dict[str, Any] = {
        "summary": f"{'Staff' if by_staff else 'Peer'} assessment: {points:g} of "
                   f"{max_points:g} points",
        "items": [{"label": c["label"], "passed": c["points"] >= c["max_points"],
                   "message": f"{c['points']:g} / {c['max_points']:g}"}
                  for c in response.per_criterion or []]}
    if overall:  # the reviewers' overall comments, unattributed
        feedback["comments"] = list(overall)
    await score_submission(response.submission_id, points, max_points, feedback)
