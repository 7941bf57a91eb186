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

from content_store import PUBLISHED, BlockNotFound, CourseNotFound
from content_store.connect import current_store
from core.errors import NotFound
from core.i18n import gettext as _
from grading.block_types import current_block_types
from grading.counting import CountingRule, rule_from_counts
from grading.graded_block import GradedBlock

BUILT_IN = ("problem", "code")  # the types grading's own graders grade


def graded_types() -> tuple[str, ...]:
    """Block types that count for points: grading's own, then those other domains
    registered with it (peer_review's), so grading names no other domain's block."""
    return (*BUILT_IN, *current_block_types().names())
_CACHE_SIZE = 64


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
        raise NotFound(_("No gradeable block %(block_id)s in this course.",
                         block_id=repr(block_id)),
                       fields={"block_id": block_id})


_layouts: OrderedDict[tuple[str, str, tuple[str, ...]], CourseLayout] = OrderedDict()


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


def _max_points(block_type: str, fields: Mapping[str, Any]) -> float:
    hooks = current_block_types().get(block_type)
    if hooks is not None and hooks.max_points is not None:
        return hooks.max_points(fields)
    return float(fields.get("max_points", 1.0))


def _counting(block_type: str, fields: Mapping[str, Any]) -> CountingRule:
    hooks = current_block_types().get(block_type)
    if hooks is not None and hooks.counting is not None:
        return hooks.counting(fields)
    return rule_from_counts(fields)


async def course_layout(course_id: str) -> CourseLayout:
    """The published course's gradeable blocks (cached per structure version)."""
    store = current_store()
    try:
        structure = await store.get_branch(course_id, PUBLISHED)
    except CourseNotFound:
        raise NotFound(_("%(course_id)s has no published content yet.",
                         course_id=course_id)) from None
    graded = graded_types()
    cache_key = (course_id, str(structure.id), graded)  # a registry differs between apps
    cached = _layouts.get(cache_key)
    if cached is not None:
        _layouts.move_to_end(cache_key)
        return cached
    order = structure.descendants(structure.root)
    wanted = [k for k in order if k.type in (*graded, "sequential", "chapter", "course")]
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
        if key.type not in graded:
            continue
        ancestors = {a.type: views.get((a.type, a.id)) for a in structure.ancestors(key)}
        unit = next((a for a in structure.ancestors(key) if a.type == "vertical"), None)
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
            max_points=_max_points(view.type, view.fields),
            unit_id=unit.id if unit else None,
            counting=_counting(view.type, view.fields),
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
        raise NotFound(_("No block %(block_id)s.", block_id=repr(block_id))) from None
    return layout, layout.block(block_id)


async def graded_block(course_id: str, block_id: str) -> tuple[GradedBlock, GradingPolicy]:
    """A published gradeable block and its course's policy; NotFound otherwise."""
    layout, block = await published_block(course_id, block_id)
    return block, layout.policy
