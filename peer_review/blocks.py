"""A published peer_review block's settings, read through grading's course layout cache."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from content_store import PUBLISHED
from content_store.connect import current_store
from core.errors import NotFound
from core.i18n import gettext as _
from grading.api import published_block
from peer_review.scoring import Rubric

SCORING = ("median", "mean")
# The course's peer_review_scoring per published version (versions never change).
_course_scoring: dict[tuple[str, str], str] = {}


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


async def course_scoring(course_id: str, version: str) -> str:
    """The course's `peer_review_scoring` option (course.yaml), median unless set."""
    key = (course_id, version)
    if key not in _course_scoring:
        store = current_store()
        structure = await store.get_branch(course_id, PUBLISHED)
        root = (await store.get_blocks(course_id, [structure.root], version=structure.id))[0]
        value = root.fields.get("peer_review_scoring")
        if len(_course_scoring) > 256:
            _course_scoring.clear()
        _course_scoring[(course_id, str(structure.id))] = value if value in SCORING \
            else "median"
        if key not in _course_scoring:  # published again meanwhile: use what we read
            return _course_scoring[(course_id, str(structure.id))]
    return _course_scoring[key]


async def peer_block(course_id: str, block_id: str) -> PeerBlock:
    """The published block, or NotFound if it is missing or not a peer_review block.

    Scoring: the block's own `scoring` if set, else the course's `peer_review_scoring`."""
    layout, block = await published_block(course_id, block_id)
    if block.type != "peer_review":
        raise NotFound(_("%(block_id)s is not a peer review.", block_id=repr(block_id)))
    f = block.fields
    flexible = f.get("flexible_after_days")
    return PeerBlock(
        course_id=course_id, id=block.id, title=block.title, prompt=str(f.get("prompt") or ""),
        rubric=Rubric.from_fields(f.get("rubric")), must_grade=_int(f.get("must_grade"), 3),
        graded_by=max(1, _int(f.get("graded_by"), 3)), allow_file=bool(f.get("allow_file")),
        self_assessment=bool(f.get("self_assessment")), due_at=block.due_at,
        scoring=f["scoring"] if f.get("scoring") in SCORING
        else await course_scoring(course_id, layout.version),
        flexible_after_days=flexible if isinstance(flexible, int) else None)
