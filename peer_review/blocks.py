"""A published peer_review block's settings, read through grading's course layout cache."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.errors import NotFound
from grading.course_blocks import graded_block
from peer_review.scoring import Rubric


@dataclass(frozen=True)
class PeerBlock:
    course_id: str
    id: str
    title: str
    prompt: str
    rubric: Rubric
    must_grade: int
    graded_by: int
    allow_file: bool
    self_assessment: bool
    due_at: datetime | None
    scoring: str  # median | mean
    flexible_after_days: int | None

    @property
    def max_points(self) -> float:
        return self.rubric.max_points


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


async def peer_block(course_id: str, block_id: str) -> PeerBlock:
    """The published block, or NotFound if it is missing or not a peer_review block."""
    block, _ = await graded_block(course_id, block_id)
    if block.type != "peer_review":
        raise NotFound(f"{block_id!r} is not a peer review.")
    f = block.fields
    flexible = f.get("flexible_after_days")
    return PeerBlock(
        course_id=course_id, id=block.id, title=block.title, prompt=str(f.get("prompt") or ""),
        rubric=Rubric.from_fields(f.get("rubric")), must_grade=_int(f.get("must_grade"), 3),
        graded_by=max(1, _int(f.get("graded_by"), 3)), allow_file=bool(f.get("allow_file")),
        self_assessment=bool(f.get("self_assessment")), due_at=block.due_at,
        scoring="mean" if f.get("scoring") == "mean" else "median",
        flexible_after_days=flexible if isinstance(flexible, int) else None)
