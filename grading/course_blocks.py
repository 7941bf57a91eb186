"""Where a gradeable block sits in its course: its fields, due date, assignment type,
section, and the course's grading policy. Read from the published branch only.

Structures are immutable, so a course's layout is cached by structure id with no
invalidation (a publish makes a new structure, hence a new cache key).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.content.connect import current_store
from app.errors import NotFound
from content_store import PUBLISHED, BlockNotFound, CourseNotFound

GRADED_TYPES = ("problem", "code", "peer_review")
_CACHE_SIZE = 64


@dataclass(frozen=True)
class GradedBlock:
    course_id: str
    id: str
    type: str
    title: str
    fields: Mapping[str, Any]
    due_at: datetime | None
    assignment_type: str | None
    sequential_id: str | None
    sequential_title: str
    chapter_id: str | None
    chapter_title: str

    @property
    def max_points(self) -> float:
        if self.type == "peer_review":
            criteria = (self.fields.get("rubric") or {}).get("criteria") or []
            return float(sum(max((o.get("points", 0) for o in c.get("options") or []),
                                 default=0) for c in criteria))
        return float(self.fields.get("max_points", 1.0))

    @property
    def max_attempts(self) -> int | None:
        value = self.fields.get("max_attempts")
        return value if isinstance(value, int) and value > 0 else None

    @property
    def grader_url(self) -> str | None:
        return self.fields.get("grader_url") or None

    @property
    def counts_last(self) -> bool:
        """True if the newest graded attempt counts; otherwise the best one does."""
        return self.fields.get("counts") == "last"

    @property
    def cooldown(self) -> timedelta:
        """How long a student waits after an attempt before the next one."""
        value = self.fields.get("cooldown_seconds")
        return timedelta(seconds=value if isinstance(value, int) and value > 0 else 0)


@dataclass(frozen=True)
class LatePolicy:
    mode: str = "reject"  # reject | penalty
    penalty: float = 0.0
    grace: timedelta = timedelta(0)


@dataclass(frozen=True)
class GradingPolicy:
    assignment_types: list[dict[str, Any]] = field(default_factory=list)
    pass_threshold: float = 0.5
    late: LatePolicy = field(default_factory=LatePolicy)


@dataclass(frozen=True)
class CourseLayout:
    """Every gradeable block of a published course, in outline order, and its policy."""

    course_id: str
    version: str
    blocks: list[GradedBlock]
    policy: GradingPolicy
    chapters: list[tuple[str, str]]  # (id, title) in order
    language: str = "en"  # the course's language (course.yaml `language`)

    def block(self, block_id: str) -> GradedBlock:
        for b in self.blocks:
            if b.id == block_id:
                return b
        raise NotFound(f"No gradeable block {block_id!r} in this course.",
                       fields={"block_id": block_id})


_layouts: OrderedDict[tuple[str, str], CourseLayout] = OrderedDict()


def _parse_due(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


def _policy(fields: Mapping[str, Any]) -> GradingPolicy:
    raw = fields.get("grading_policy") or {}
    late = raw.get("late_policy") or {}
    return GradingPolicy(
        assignment_types=list(raw.get("assignment_types") or []),
        pass_threshold=float(raw.get("pass_threshold", 0.5)),
        late=LatePolicy(mode=late.get("mode", "reject"), penalty=float(late.get("penalty", 0)),
                        grace=timedelta(minutes=int(late.get("grace_minutes", 0)))),
    )


async def course_layout(course_id: str) -> CourseLayout:
    """The published course's gradeable blocks (cached per structure version)."""
    store = current_store()
    try:
        structure = await store.get_branch(course_id, PUBLISHED)
    except CourseNotFound:
        raise NotFound(f"{course_id} has no published content yet.") from None
    cache_key = (course_id, str(structure.id))
    cached = _layouts.get(cache_key)
    if cached is not None:
        _layouts.move_to_end(cache_key)
        return cached
    order = structure.descendants(structure.root)
    wanted = [k for k in order if k.type in (*GRADED_TYPES, "sequential", "chapter", "course")]
    views = {(v.type, v.id): v for v in await store.get_blocks(course_id, wanted,
                                                               version=structure.id)}
    blocks: list[GradedBlock] = []
    chapters: list[tuple[str, str]] = []
    for key in order:
        view = views.get((key.type, key.id))
        if view is None:
            continue
        if key.type == "chapter":
            chapters.append((view.id, view.fields.get("title") or view.id))
        if key.type not in GRADED_TYPES:
            continue
        ancestors = {a.type: views.get((a.type, a.id)) for a in structure.ancestors(key)}
        seq, chapter = ancestors.get("sequential"), ancestors.get("chapter")
        due = _parse_due(view.fields.get("due")) or (
            _parse_due(seq.fields.get("due")) if seq else None)
        blocks.append(GradedBlock(
            course_id=course_id, id=view.id, type=view.type,
            title=view.fields.get("title") or view.id, fields=view.fields, due_at=due,
            assignment_type=seq.fields.get("assignment_type") if seq else None,
            sequential_id=seq.id if seq else None,
            sequential_title=(seq.fields.get("title") or seq.id) if seq else "",
            chapter_id=chapter.id if chapter else None,
            chapter_title=(chapter.fields.get("title") or chapter.id) if chapter else "",
        ))
    root = views[(structure.root.type, structure.root.id)]
    layout = CourseLayout(course_id, str(structure.id), blocks, _policy(root.fields), chapters,
                          str(root.fields.get("language") or "en"))
    _layouts[cache_key] = layout
    while len(_layouts) > _CACHE_SIZE:
        _layouts.popitem(last=False)
    return layout


async def published_block(course_id: str, block_id: str) -> tuple[CourseLayout, GradedBlock]:
    """A published gradeable block and its course's layout; NotFound otherwise."""
    try:
        layout = await course_layout(course_id)
    except BlockNotFound:
        raise NotFound(f"No block {block_id!r}.") from None
    return layout, layout.block(block_id)


async def graded_block(course_id: str, block_id: str) -> tuple[GradedBlock, GradingPolicy]:
    """A published gradeable block and its course's policy; NotFound otherwise."""
    layout, block = await published_block(course_id, block_id)
    return block, layout.policy
