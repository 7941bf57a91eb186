"""Reading course content for pages and live fragments: the outline, a unit, the studio's
draft outline. Services, pages and the content events all read through here (the events
rebuild the same regions the pages render, so both must read the same way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from content_store import PUBLISHED, BlockKey, BlockNotFound, CourseNotFound
from content_store.blocks import BLOCK_TYPES, block_type
from content_store.connect import current_store
from content_store.publishing import subtree_differs
from core import clock
from core.i18n import gettext as _
from courses.release import STAFF, path_mark, release_of


@dataclass(frozen=True)
class RenderedBlock:
    id: str
    type: str
    title: str
    html: str
    note: str = ""  # for staff: why students do not see this block (courses.release)


@dataclass(frozen=True)
class Unit:
    """A unit (vertical) ready for its page: its components rendered as students see them."""

    course_id: str
    id: str
    title: str
    blocks: list[RenderedBlock]
    version: str
    note: str = ""  # for staff: why students do not see this unit


async def outline_of(course_id: str, branch: str = PUBLISHED) -> dict[str, Any] | None:
    """The outline tree of a branch, or None when the course has nothing there yet."""
    try:
        return await current_store().get_outline(course_id, branch)
    except CourseNotFound:
        return None


async def unit_of(course_id: str, block_id: str, branch: str = PUBLISHED, *,
                  audience: str | None = None) -> Unit:
    """A unit of a branch, rendered for `audience` (None: a student); BlockNotFound if it
    is not a unit there. Students get only the components released to them, staff every
    one, with a note on those students do not see (courses.release)."""
    store = current_store()
    structure = await store.get_branch(course_id, branch, cached=True)
    key = structure.key_for(block_id)
    if key.type != "vertical":
        raise BlockNotFound(_("%(block)r is not a unit.", block=block_id),
                            fields={"block": block_id})
    release = release_of(structure, clock.now())
    shown = [c for c in structure.blocks[key].children if release.sees(audience, c.id)]
    unit, *children = await store.get_blocks(course_id, [key, *shown], version=structure.id)

    def note(at: BlockKey) -> str:
        mark = path_mark(structure, release, at) if audience == STAFF else None
        return mark.label if mark else ""

    rendered = [RenderedBlock(b.id, b.type, b.title,
                              block_type(b.type).render_student_html(b.id, b.fields),
                              note(BlockKey(b.type, b.id)))
                for b in children]
    return Unit(course_id, unit.id, unit.title, rendered, str(structure.id), note(key))


@dataclass
class StudioNode:
    id: str
    type: str
    title: str
    label: str  # the block type's name for people ("Chapter", "Problem")
    changed: bool  # the draft of this subtree differs from what students see
    addable: list[str]  # block types that may be added inside
    children: list[StudioNode] = field(default_factory=list)


@dataclass
class StudioOutline:
    """The draft outline as the outline editor shows it."""

    course_id: str
    root: StudioNode
    draft_version: str
    published_version: str | None

    @property
    def has_changes(self) -> bool:
        return self.root.changed


async def studio_outline(course_id: str) -> StudioOutline | None:
    """The draft outline with unpublished-change marks (None before any content)."""
    store = current_store()
    try:
        index = await store.get_course_index(course_id)
    except CourseNotFound:  # no content written yet
        return None
    draft = await store.get_structure(index.draft_version)
    published = (await store.get_structure(index.published_version)
                 if index.published_version else None)

    def node(key: BlockKey) -> StudioNode:
        block = draft.blocks[key]
        kind = block_type(key.type)
        return StudioNode(
            id=key.id, type=key.type, title=str(block.fields.get("title") or ""),
            label=kind.label, changed=subtree_differs(draft, published, key),
            addable=sorted(kind.children, key=list(BLOCK_TYPES).index),
            children=[node(child) for child in block.children])

    return StudioOutline(course_id, node(draft.root), index.draft_version,
                         index.published_version)
