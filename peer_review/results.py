"""Scores: when a response's score is released, and how it reaches the gradebook."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from models.grading import Status, Submission
from models.peer_review import AssignmentStatus, Kind, PeerAssignment, PeerResponse, ResponseStatus
from peer_review import events
from peer_review.blocks import PeerBlock
from peer_review.scoring import required_reviews, score

log = logging.getLogger("coursewire.peer_review")


def now() -> datetime:
    return datetime.now(UTC)


async def my_response(user_id: int, course_id: str, block_id: str) -> PeerResponse | None:
    return await PeerResponse.filter(author_id=user_id, course_id=course_id,
                                     block_id=block_id).order_by("-id").first()


async def assessments_given(user_id: int, course_id: str, block_id: str) -> int:
    return await PeerAssignment.filter(reviewer_id=user_id, course_id=course_id,
                                       block_id=block_id, kind=Kind.PEER,
                                       status=AssignmentStatus.DONE).count()


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
    await PeerResponse.filter(id=response.id).update(points=result.points, per_criterion=per,
                                                     feedback=result.feedback, scored_at=now())
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
    """The score flows into the gradebook as the grading submission's grade."""
    submission = await Submission.get(id=response.submission_id)
    raw = points / max_points * submission.max_points if max_points else 0.0
    final = raw * (1.0 - submission.late_penalty)
    feedback: dict[str, Any] = {
        "summary": f"{'Staff' if by_staff else 'Peer'} assessment: {points:g} of "
                   f"{max_points:g} points",
        "items": [{"label": c["label"], "passed": c["points"] >= c["max_points"],
                   "message": f"{c['points']:g} / {c['max_points']:g}"}
                  for c in response.per_criterion or []]}
    if overall:  # the reviewers' overall comments, unattributed
        feedback["comments"] = list(overall)
    if submission.late and submission.late_penalty:
        feedback["late"] = (f"Submitted late: {submission.late_penalty:.0%} of the points "
                            "deducted.")
    await Submission.filter(id=submission.id, status__in=[Status.AWAITING_PEER_REVIEW,
                                                          Status.GRADED]).update(
        status=Status.GRADED, raw_points=raw, points=final, feedback=feedback, graded_at=now())
    await submission_event(submission.id, graded=True)


async def submission_event(submission_id: int, *, graded: bool) -> None:
    from grading import events as grading_events

    submission = await Submission.get(id=submission_id)
    try:
        await grading_events.submission_changed(submission, graded=graded)
    except Exception:  # the grade is stored; a page reload shows it
        log.exception("could not publish grading events for submission %s", submission_id)


def result_status(response: PeerResponse, block: PeerBlock, given: int,
                  self_done: bool) -> str:
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
                self_done: bool) -> dict[str, Any]:
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
