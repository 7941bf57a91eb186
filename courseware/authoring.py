"""Authoring actions (instructors): outline edits, block forms, history and revert, files.

Every edit names the draft version the editor was looking at (`expected_version`), so
two instructors editing at once get a VersionConflict (409) instead of one silently
overwriting the other. After each edit the staff topic gets the fresh outline editor.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from content_store import DRAFT, BlockKey, BlockView, folder_io
from content_store.assets import Asset, CourseAssets
from content_store.blocks import block_type
from content_store.connect import current_store
from content_store.editor import CourseEditor
from content_store.gridfs_files import AsyncReader
from content_store.history import StructureDiff, VersionInfo, diff_structures
from content_store.records import Commit
from core.errors import BadInput
from core.i18n import gettext as _
from courses.service import require_role
from courseware import events
from courseware.forms import form_values
from courseware.queries import StudioOutline, studio_outline
from courseware.service import ensure_course_content
from models.courses import Role
from models.users import User

STARTER_TYPES = ("chapter", "sequential", "vertical", "html", "video", "problem", "code",
                 "peer_review", "discussion", "quiz")


def starters() -> dict[str, dict[str, Any]]:
    """What a new block starts with, so it is valid before its form is filled in. The texts
    are saved into the course in the author's language at the time (course content)."""
    options = [{"id": "a", "label": _("The right answer"), "correct": True},
               {"id": "b", "label": _("A wrong answer"), "correct": False}]
    return {
        "chapter": {}, "sequential": {}, "vertical": {},
        "html": {"source": _("Write this page.")},
        "video": {"url": "https://media.coursewire.example/replace-me.mp4"},
        "problem": {"kind": "multiple_choice", "prompt": _("Ask your question here."),
                    "options": options},
        "code": {"prompt": _("Describe the exercise."),
                 "tests": "from solution import *\n\n\ndef test_replace_me():\n    assert True\n"},
        "peer_review": {"prompt": _("Describe the task."), "rubric": {"criteria": [
            {"name": "quality", "label": _("Quality"), "options": [
                {"name": "weak", "label": _("Needs work"), "points": 0},
                {"name": "good", "label": _("Good"), "points": 1}]}]}},
        "discussion": {"topic_id": "general"},
        "quiz": {"time_limit_minutes": 30, "questions": [
            {"id": "q1", "title": _("Question %(num)d", num=1), "kind": "multiple_choice",
             "prompt": _("Ask your question here."), "options": options}]},
    }


@dataclass
class BlockDiff:
    block: BlockKey
    what: tuple[str, ...]
    lines: list[str]  # a unified diff of the block's fields as YAML


@dataclass
class VersionDiff:
    course_id: str
    old: str | None
    new: str
    summary: StructureDiff
    blocks: list[BlockDiff]


# -- the outline editor ----------------------------------------------------------------

async def open_outline_editor(actor: User, course_id: str) -> StudioOutline:
    await require_role(actor, course_id, Role.INSTRUCTOR)
    await ensure_course_content(actor, course_id)
    outline = await studio_outline(course_id)
    assert outline is not None
    return outline


async def edit_draft(actor: User, course_id: str, expected_version: str | None,
                     apply: Callable[[CourseEditor], Awaitable[Any]]) -> Commit:
    """Apply one change to the draft, checked against `expected_version` (the version the
    editor saw; VersionConflict if it moved), and tell open studio pages."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    await ensure_course_content(actor, course_id)
    commit = await current_store().edit(course_id, actor.id, apply,
                                        expected_version=expected_version or None)
    if commit.changed:
        await events.draft_updated(course_id)
    return commit


async def add_block(actor: User, course_id: str, parent_id: str, type_name: str,
                    title: object, expected_version: str | None) -> Commit:
    """Add a chapter, subsection, unit or component (valid starter content) at the end."""
    title = _title(title)
    if type_name not in STARTER_TYPES:
        raise BadInput(_("Unknown block type %(type)r.", type=type_name),
                       fields={"type": _("Unknown type.")})

    async def apply(edit: CourseEditor) -> None:
        block_id = _free_id(edit, title)
        await edit.create_block(parent_id, type_name, {"title": title, **starters()[type_name]},
                                block_id=block_id)
    return await edit_draft(actor, course_id, expected_version, apply)


async def rename_block(actor: User, course_id: str, block_id: str, title: object,
                       expected_version: str | None) -> Commit:
    title = _title(title)

    async def apply(edit: CourseEditor) -> None:
        await edit.update_block(block_id, {"title": title})
    return await edit_draft(actor, course_id, expected_version, apply)


async def move_block(actor: User, course_id: str, block_id: str, direction: str,
                     expected_version: str | None) -> Commit:
    """Move a block one place up or down.

    Past the first or last place it crosses into the neighbouring parent (the last place of
    the previous unit/subsection/chapter, or the first of the next), as Open edX's outline
    does, so repeated moves can carry a block anywhere in the course.
    """
    if direction not in ("up", "down"):
        raise BadInput(_("Move a block up or down."), fields={"direction": _("up or down")})
    step = -1 if direction == "up" else 1

    async def apply(edit: CourseEditor) -> None:
        key = edit.key_for(block_id)
        parent = edit.parent(key)
        if parent is None:
            return
        siblings = edit.children(parent)
        at = siblings.index(key) + step
        if 0 <= at < len(siblings):
            siblings.insert(at, siblings.pop(siblings.index(key)))
            edit.reorder_children(parent, siblings)
            return
        grandparent = edit.parent(parent)
        if grandparent is None:
            return
        uncles = edit.children(grandparent)
        at = uncles.index(parent) + step
        if 0 <= at < len(uncles):
            edit.move_block(key, uncles[at], None if step < 0 else 0)
    return await edit_draft(actor, course_id, expected_version, apply)


async def delete_block(actor: User, course_id: str, block_id: str,
                       expected_version: str | None) -> Commit:
    """Delete a block and everything inside it from the draft."""
    async def apply(edit: CourseEditor) -> None:
        edit.delete_block(block_id)
    return await edit_draft(actor, course_id, expected_version, apply)


# -- editing one block with its form -----------------------------------------------------

async def block_for_editing(actor: User, course_id: str,
                            block_id: str) -> tuple[BlockView, list[dict[str, Any]]]:
    """A draft block and its type's editor form."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    await ensure_course_content(actor, course_id)
    view = await current_store().get_block(course_id, block_id, DRAFT)
    return view, block_type(view.type).editor_form()


async def save_block_form(actor: User, course_id: str, block_id: str, form: dict[str, str],
                          expected_version: str | None) -> Commit:
    """Save a block's editor form (text inputs turned into typed field values; date-times
    typed on the actor's clock)."""
    async def apply(edit: CourseEditor) -> None:
        key = edit.key_for(block_id)
        values, unset = form_values(block_type(key.type), form, actor.timezone)
        await edit.update_block(key, values, unset=unset)
    return await edit_draft(actor, course_id, expected_version, apply)


# -- publishing state, history and revert ----------------------------------------------

async def draft_history(actor: User, course_id: str,
                        limit: int = 50) -> tuple[list[VersionInfo], str | None]:
    """The draft's versions, newest first, and the published version."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    await ensure_course_content(actor, course_id)
    store = current_store()
    index = await store.get_course_index(course_id)
    return await store.version_history(course_id, DRAFT, limit), index.published_version


async def version_diff(actor: User, course_id: str, version: str,
                       against: str | None = None) -> VersionDiff:
    """What changed from `against` (default: the version before) to `version`."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    store = current_store()
    index = await store.get_course_index(course_id)
    new = await store.get_structure(version)
    lineage = (await store.get_structure(index.draft_version)).original_version
    if new.original_version != lineage:
        raise BadInput(_("That version belongs to another course."))
    old_id = against or (str(new.previous_version) if new.previous_version else None)
    old = await store.get_structure(old_id) if old_id else None
    if old is not None and old.original_version != lineage:
        raise BadInput(_("That version belongs to another course."))
    summary = diff_structures(old, new)
    keys = [*summary.added, *summary.removed, *(c.block for c in summary.changed)]
    blocks = []
    for key in keys[:40]:
        before = await _fields_yaml(old, key, course_id)
        after = await _fields_yaml(new, key, course_id)
        what = next((c.what for c in summary.changed if c.block == key),
                    ("added",) if key in summary.added else ("removed",))
        lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(),
                                          "before", "after", lineterm="", n=2))
        blocks.append(BlockDiff(key, what, lines))
    return VersionDiff(course_id, old_id, str(new.id), summary, blocks)


async def revert_draft(actor: User, course_id: str, version: str,
                       expected_version: str | None) -> Commit:
    """Point the draft back at an earlier version (a pointer move; history is kept)."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    commit = await current_store().reset_branch(course_id, DRAFT, version, actor.id,
                                                expected_version=expected_version or None)
    if commit.changed:
        await events.draft_updated(course_id)
    return commit


async def discard_draft_changes(actor: User, course_id: str,
                                expected_version: str | None) -> Commit:
    """Throw away unpublished changes: the draft becomes what students see."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    commit = await current_store().revert_to_published(
        course_id, actor.id, expected_version=expected_version or None)
    if commit.changed:
        await events.draft_updated(course_id)
    return commit


# -- course files --------------------------------------------------------------------

async def upload_asset(actor: User, course_id: str, filename: object, source: AsyncReader,
                       content_type: str | None) -> Asset:
    """Store a course file (instructors), replacing one of the same name; TooLarge past
    the size limit."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    return await CourseAssets(current_store().db).save(course_id, filename, source,
                                                       content_type, actor.id)


async def course_assets(actor: User, course_id: str) -> list[Asset]:
    await require_role(actor, course_id, Role.INSTRUCTOR)
    return await CourseAssets(current_store().db).list(course_id)


async def open_asset(viewer: User, course_id: str,
                     name: str) -> tuple[Asset, AsyncIterator[bytes]]:
    """A course file and its bytes as a stream of chunks (members only)."""
    await require_role(viewer, course_id)
    return await CourseAssets(current_store().db).open(course_id, name)


async def delete_asset(actor: User, course_id: str, name: str) -> None:
    """Delete a course file (instructors); NotFound if there is none."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    await CourseAssets(current_store().db).delete(course_id, name)


# -- helpers ---------------------------------------------------------------------------

def _title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadInput(_("Enter a title."), fields={"title": _("Required.")})
    if len(value.strip()) > 300:
        raise BadInput(_("Use at most 300 characters."), fields={"title": _("Too long.")})
    return value.strip()


def _free_id(edit: CourseEditor, title: str) -> str:
    """A readable block id from the title (ids appear in URLs), unique in the course."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "block"
    candidate, n = base, 1
    while candidate in edit:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


async def _fields_yaml(structure: Any, key: BlockKey, course_id: str) -> str:
    if structure is None or key not in structure.blocks:
        return ""
    view = await current_store().get_block(course_id, key, version=structure.id)
    stored = {f.name: view.fields[f.name] for f in block_type(key.type).fields
              if view.fields.get(f.name) not in (None, "", f.default) or f.required}
    if view.children:
        stored["children"] = list(view.children)
    return folder_io.dump_yaml(stored)

