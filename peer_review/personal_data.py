"""Peer review's part of a person's export and erasure.

The export has their responses with the reviews they received (scores and feedback, never
who wrote them: reviews are anonymous to the author) and the reviews they gave. Erasure
moves responses, reviews and queue state to the tombstone, so a response keeps its score
and a course its counts."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart, move_rows
from models.peer_review import (
    AssignmentStatus,
    PeerAssignment,
    PeerResponse,
    PeerReviewer,
    ReviewGroup,
    ScheduledAllocation,
)

_REVIEW = ("kind", "status", "scores", "criterion_feedback", "feedback", "points",
           "completed_at")


async def export(user_id: int) -> dict[str, Any]:
    responses = await PeerResponse.filter(author_id=user_id).order_by("id").values(
        "id", "course_id", "block_id", "text", "file_name", "status", "points",
        "per_criterion", "feedback", "submitted_at", "scored_at")
    for response in responses:
        response["reviews_received"] = await PeerAssignment.filter(
            response_id=response["id"], status=AssignmentStatus.DONE,
        ).order_by("id").values(*_REVIEW)
    return {
        "responses": responses,
        "reviews_given": await PeerAssignment.filter(reviewer_id=user_id).order_by(
            "id").values("course_id", "block_id", *_REVIEW),
        "groups": await ReviewGroup.filter(user_id=user_id).values("course_id", "name"),
    }


async def erase(erasure: Erasure) -> None:
    await move_rows(erasure, PeerResponse, "author_id", "cancelled_by_id")
    await move_rows(erasure, PeerAssignment, "reviewer_id")
    await move_rows(erasure, PeerReviewer, "reviewer_id")
    await move_rows(erasure, ReviewGroup, "user_id")
    await move_rows(erasure, ScheduledAllocation, "created_by_id")


PART = PersonalDataPart(export=export, erase=erase)
