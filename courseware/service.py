"""Course content in the app: what students read (the published branch only), importing
course folders and publishing. Authoring edits live in courseware.authoring.

Each write here is an action in the Zulip sense: it checks the role, writes MongoDB
through the content store, then publishes the event (courseware.events). The content
store cannot share the outbox's transaction, so a publish's events are written by
courseware.reconcile, which also writes them later if this process fails to.

The content store's course index is created lazily, on the first write (an import or
the first edit in the outline editor), not by `create_course`: a course row lives in
PostgreSQL and its content in MongoDB, two stores with no shared transaction, and a
course with no content yet reads as "nothing published" everywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from content_store import (
    DRAFT,
    PUBLISHED,
    BlockValidationError,
    CourseExists,
    CourseFolderError,
    CourseNotFound,
    folder_io,
    format_course_id,
    parse_course_id,
)
from content_store.blocks import block_type
from content_store.connect import current_store
from content_store.course_folder import Progress, import_course
from content_store.records import Commit
from core.errors import NotFound
from core.i18n import gettext as _
from courses.audience import STAFF, audience_of
from courses.membership import write_membership
from courses.service import MembershipRead, get_course, require_member, require_role
from courses.visibility import published_course, require_visible_to, viewer_outline
from courseware import events
from courseware.queries import Unit, unit_of
from courseware.reconcile import announce_after_commit
from models.courses import Course, Membership, Role
from models.users import User

DEMO_COURSE_FOLDER = Path(__file__).resolve().parents[1] / "content_store" / "demo_course"
CONTAINERS = ("course", "chapter", "sequential", "vertical")


@dataclass(frozen=True)
class ImportResult:
    course_id: str
    draft_version: str
    published_version: str | None
    title: str


# -- reading ---------------------------------------------------------------------------

async def published_outline(viewer: User, course_id: str) -> dict[str, Any]:
    """The published outline `{id, type, title, children}` as the viewer reads it now:
    students' without what is not released to them, staff's whole with `release` notes
    on what students do not see (courses.release)."""
    role = await require_role(viewer, course_id)
    outline = await viewer_outline(audience_of(role), course_id)
    if outline is None:
        raise NotFound(_("%(course)s has no published content yet.", course=course_id))
    return outline


async def outline_for_viewer(viewer: User, course_id: str) -> dict[str, Any] | None:
    """The outline region's data for a page (None before anything is published)."""
    return await viewer_outline(audience_of(await require_role(viewer, course_id)), course_id)


async def published_block(viewer: User, course_id: str, block_id: str) -> dict[str, Any]:
    """One published block as a student sees it (its student view); containers also
    list their children's ids (the ones the viewer may see). Draft-only blocks, and blocks
    not released to a student, are NotFound, like unknown ones."""
    audience = audience_of(await require_role(viewer, course_id))
    await require_visible_to(audience, course_id, block_id)
    try:
        view = await current_store().get_block(course_id, block_id, PUBLISHED)
    except CourseNotFound:
        raise NotFound(_("%(course)s has no published content yet.", course=course_id)) from None
    data = block_type(view.type).student_view(view.id, view.fields)
    if view.type in CONTAINERS:
        course = await published_course(course_id)
        data["children"] = [child for child in view.children
                            if course is None or course.sees(audience, child)]
    return data


@dataclass(frozen=True)
class UnitView:
    """A published unit as a viewer opens it, with its course and the outline around it."""

    course: Course
    unit: Unit
    outline: dict[str, Any] | None  # None before anything is published


async def published_unit(viewer: User, course_id: str, block_id: str, *,
                         read: MembershipRead | None = None) -> UnitView:
    """The published unit a viewer opens (members; never draft content, and for students
    never a unit not released to them: NotFound), its course and the viewer's outline:
    one role check for the three (`read`: the request's earlier read of the viewer's
    membership, as `require_member` takes it)."""
    member = await require_member(viewer, course_id, read=read)
    await require_visible_to(member.audience, course_id, block_id)
    try:
        unit = await unit_of(course_id, block_id, PUBLISHED, audience=member.audience)
    except CourseNotFound:
        raise NotFound(_("%(course)s has no published content yet.", course=course_id)) from None
    return UnitView(member.course, unit, await viewer_outline(member.audience, course_id))


async def draft_unit(viewer: User, course_id: str, block_id: str) -> Unit:
    """A unit of the draft, for the instructors' preview."""
    await require_role(viewer, course_id, Role.INSTRUCTOR)
    await ensure_course_content(viewer, course_id)
    return await unit_of(course_id, block_id, DRAFT, audience=STAFF)


# -- writing ---------------------------------------------------------------------------

async def ensure_course_content(actor: User | None, course_id: str) -> None:
    """Create the course's content index if this is its first content write."""
    store = current_store()
    try:
        await store.get_course_index(course_id)
        return
    except CourseNotFound:
        pass
    course = await get_course(course_id)
    try:
        await store.create_course(course.org, course.number, course.run,
                                  actor.id if actor else None, title=course.title)
    except CourseExists:
        pass  # created meanwhile by another request: what we wanted


async def import_course_folder(actor: User | None, source: str | os.PathLike[str] | bytes, *,
                               course_id: str | None = None, publish: bool = False,
                               instructor: User | None = None,
                               progress: Progress | None = None) -> ImportResult:
    """Import a course folder (a path, or .tar.gz bytes) into a new draft version.

    With an `actor` (the API), the course must exist and the actor be its instructor.
    Without one (the CLI), the course row is created if missing, and `instructor`, if
    given, becomes one of its instructors. `publish` publishes the imported draft.
    """
    if actor is not None:
        if course_id is None:
            raise NotFound(_("Import into a course: give its id."))
        await require_role(actor, course_id, Role.INSTRUCTOR)
    elif course_id is None:
        course_id = folder_course_id(source)
    store = current_store()
    who = actor.id if actor else "cli"
    before, draft_before = await _versions(course_id)
    version = await import_course(store, source, who, course_id=course_id, progress=progress)
    title = (await store.get_block(course_id, "course", DRAFT)).title
    await _ensure_course_row(course_id, title, instructor)
    if version != draft_before:
        await events.draft_updated(course_id)
    published = before
    if publish:
        commit = await store.publish(course_id, who, expected_version=version)
        published = commit.version
        if commit.changed:
            await announce_after_commit(course_id)
            await events.draft_updated(course_id)
    return ImportResult(course_id, version, published, title)


async def publish_course(actor: User, course_id: str, expected_version: str | None = None,
                         *, block: str | None = None) -> Commit:
    """Publish the whole draft, or only `block`'s subtree (a chapter, subsection or unit:
    the rest of what students see stays as it was); open student pages update.

    With `expected_version`, publishes exactly that draft or raises VersionConflict.
    """
    await require_role(actor, course_id, Role.INSTRUCTOR)
    await ensure_course_content(actor, course_id)
    commit = await current_store().publish(course_id, actor.id, block=block or None,
                                           expected_version=expected_version or None)
    if commit.changed:
        await announce_after_commit(course_id)
        await events.draft_updated(course_id)
    return commit


async def rerun_course(source_id: str, new_run: str) -> ImportResult:
    """A new run of a course (same org and number) that starts with the source's content,
    draft and published, without copying it: both runs point at the same immutable
    versions until either is edited. The new run gets the course's title and its
    instructors, no students. CourseExists if the run is taken."""
    source = await get_course(source_id)
    key = parse_course_id(source_id)
    new_id = format_course_id(key.org, key.number, new_run)  # validates the run
    if await Course.exists(id=new_id):
        raise CourseExists(f"{new_id} already exists.", fields={"course_id": new_id})
    try:
        index = await current_store().clone_course(source_id, key.org, key.number, new_run,
                                                   "cli")
    except CourseNotFound:
        raise NotFound(_("%(course)s has no content to rerun yet.", course=source_id)) from None
    await _ensure_course_row(new_id, source.title, None)
    await announce_after_commit(new_id)
    instructors = await Membership.filter(course_id=source_id, role=Role.INSTRUCTOR)
    for membership in instructors:
        await write_membership(new_id, membership.user_id, Role.INSTRUCTOR)
    return ImportResult(new_id, index.draft_version, index.published_version, source.title)


async def import_demo_content(instructor: User, course_id: str) -> None:
    """Give the demo course the demo folder's content, published, unless it already has
    published content (an instructor's edits in the browser are never overwritten)."""
    try:
        if (await current_store().get_course_index(course_id)).published_version:
            return
    except CourseNotFound:
        pass
    await import_course_folder(instructor, DEMO_COURSE_FOLDER, course_id=course_id,
                               publish=True)


async def _versions(course_id: str) -> tuple[str | None, str | None]:
    """(published, draft) versions; (None, None) before the course has content."""
    try:
        index = await current_store().get_course_index(course_id)
    except CourseNotFound:
        return None, None
    return index.published_version, index.draft_version


def folder_course_id(source: str | os.PathLike[str] | bytes) -> str:
    """The course id a course folder's course.yaml describes (CourseFolderError if none)."""
    if isinstance(source, bytes):
        raise CourseFolderError("Give the course id to import an archive into.")
    path = Path(source) / "course.yaml"
    if not path.is_file():
        raise CourseFolderError("A course folder needs a course.yaml at its top.",
                                file="course.yaml")
    doc = folder_io.parse_yaml("course.yaml", path.read_text(encoding="utf-8"))
    try:
        return format_course_id(*(str(doc.data.get(part, "")) for part in
                                  ("org", "number", "run")))
    except BlockValidationError as exc:
        raise CourseFolderError(exc.message, file="course.yaml", line=1) from None


async def _ensure_course_row(course_id: str, title: str, instructor: User | None) -> None:
    key = parse_course_id(course_id)
    course, _created = await Course.get_or_create(
        id=course_id, defaults={"org": key.org, "number": key.number, "run": key.run,
                                "title": title[:255]})
    if instructor is not None:
        await write_membership(course.id, instructor.id, Role.INSTRUCTOR)
