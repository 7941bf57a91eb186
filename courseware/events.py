"""Content events: one definition each of topic, audiences and template.

- `content.published` on `course:<id>` (members): the outline region only, with the
  list of changed and removed units as data (course home, dashboards, unit pages).
- `content.released` on `course:<id>` (members): a start time passed; the outline region
  as it reads now (courseware.releases publishes it, once per start, on one process).
- `content.unit.published` on `unit:<course id>:<unit id>` (members), once per unit
  whose published content changed or that was removed: that unit's region. Only the
  pages showing that unit subscribe, so a publish never sends every unit's HTML to
  every open course page.
Every frame is rendered per audience (courses.release): a student's outline and units
never hold content not released to them, staff's carry notes on what students miss.
- `content.draft.updated` on `studio:<course id>` (instructors only: TAs are staff but
  do not author, and the draft is unpublished content): the outline editor region.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from content_store import BlockNotFound, CourseNotFound
from content_store.blocks import BLOCK_TYPES
from content_store.connect import current_store
from content_store.publishing import subtree_differs
from core import clock
from core.event_types import EventType
from core.templating import render
from courses.audience import STAFF, STUDENT, course_audience
from courses.release import release_of
from courses.visibility import PublishedCourse, published_course, viewer_outline
from courseware.block_labels import block_label
from courseware.queries import Unit, studio_outline, unit_of
from models.courses import Membership, Role
from models.users import User
from realtime.publish import in_every_language, publish
from realtime.topics import Topic

AUDIENCES = (STAFF, STUDENT)

class ContentPublished(TypedDict):
    published_version: str
    previous_version: str | None
    changed_units: list[str]  # unit (vertical) ids whose published content changed
    removed_units: list[str]


class UnitPublished(TypedDict):
    unit: str
    published_version: str
    removed: bool


class DraftUpdated(TypedDict):
    draft_version: str
    published_version: str | None
    has_changes: bool


CONTENT_PUBLISHED = EventType(
    "content.published", "The course's published content moved to a new version.",
    ContentPublished, ("course:<id>",))
UNIT_PUBLISHED = EventType(
    "content.unit.published", "A unit's published content changed or was removed.",
    UnitPublished, ("unit:<course id>:<unit id>",))
DRAFT_UPDATED = EventType(
    "content.draft.updated", "The course's draft changed (instructors only).",
    DraftUpdated, ("studio:<course id>",))


class ContentReleased(TypedDict):
    released_at: str
    published_version: str


CONTENT_RELEASED = EventType(
    "content.released", "A start time passed: the outline gains what is released now.",
    ContentReleased, ("course:<id>",))
EVENT_TYPES = (CONTENT_PUBLISHED, UNIT_PUBLISHED, DRAFT_UPDATED, CONTENT_RELEASED)


def outline_html(course_id: str, outline: dict[str, Any] | None, oob: bool,
                 marks: dict[str, str] | None = None) -> str:
    """The outline; without `marks` (the viewer's unit marks, rendered by the shell) it
    loads itself again with them (`GET /courses/<id>/outline`), so one rendering serves
    every member and each sees their own marks."""
    return render("content/_outline.html", course_id=course_id, outline=outline, oob=oob,
                  marks=marks)


def unit_html(course_id: str, unit_id: str, unit: Any, oob: bool) -> str:
    return render("content/_unit.html", course_id=course_id, unit_id=unit_id, unit=unit,
                  oob=oob)


def studio_html(course_id: str, studio: Any, oob: bool) -> str:
    return render("content/_studio_outline.html", course_id=course_id, studio=studio,
                  oob=oob, labels={name: block_label(name) for name in BLOCK_TYPES})


async def content_published(course_id: str, before: str | None, after: str) -> None:
    """`content.published`: fresh outline plus every unit that looks different now, each
    rendered per audience: students never get what is not released to them."""
    store = current_store()
    new = await store.get_structure(after)
    old = await store.get_structure(before) if before else None
    changed = [k for k in new.descendants(new.root)
               if k.type == "vertical" and subtree_differs(new, old, k)]
    removed = [k for k in (old.descendants(old.root) if old else [])
               if k.type == "vertical" and k not in new.blocks]
    now = clock.now()
    course = PublishedCourse(course_id, new, release_of(new, now))
    was = PublishedCourse(course_id, old, release_of(old, now)) if old else None
    data = {}
    for audience in AUDIENCES:
        shown = [k.id for k in changed if course.sees(audience, k.id)]
        # Gone for this audience: removed, or no longer theirs to see; never naming a unit
        # they could not see before either.
        gone = [k.id for k in removed + changed if k.id not in shown
                and was is not None and was.sees(audience, k.id)]
        data[audience] = {"published_version": after, "previous_version": before,
                          "changed_units": shown, "removed_units": gone}
    html = in_every_language(lambda: {
        audience: outline_html(course_id, course.outline(audience), oob=True)
        for audience in AUDIENCES})
    await publish(f"course:{course_id}", "content.published", data, html)
    for key in changed + removed:
        units = {audience: await _unit_for(course, key.id, audience) for audience in AUDIENCES}
        await publish(unit_topic(course_id, key.id), "content.unit.published",
                      {audience: {"unit": key.id, "published_version": after,
                                  "removed": unit is None}
                       for audience, unit in units.items()},
                      in_every_language(lambda units=units, key=key: {
                          audience: unit_html(course_id, key.id, unit, oob=True)
                          for audience, unit in units.items()}))


async def content_released(course_id: str, at: datetime) -> None:
    """`content.released`: a start time passed (the release schedule calls this once per
    start, on one process): open outlines gain what is released now, without a reload."""
    course = await published_course(course_id, fresh=True)
    if course is None:
        return
    data = {"released_at": at.isoformat(), "published_version": str(course.structure.id)}
    await publish(f"course:{course_id}", "content.released",
                  dict.fromkeys(AUDIENCES, data),
                  in_every_language(lambda: {
                      audience: outline_html(course_id, course.outline(audience), oob=True)
                      for audience in AUDIENCES}))


async def _unit_for(course: PublishedCourse, unit_id: str, audience: str) -> Unit | None:
    """The unit as `audience` reads it, or None when gone or not released to them."""
    if unit_id not in course.structure or not course.sees(audience, unit_id):
        return None
    return await unit_of(course.course_id, unit_id, audience=audience)


async def draft_updated(course_id: str) -> None:
    """`content.draft.updated`: the outline editor as it is now, for every instructor."""
    studio = await studio_outline(course_id)
    if studio is None:
        return
    data: DraftUpdated = {"draft_version": studio.draft_version,
                          "published_version": studio.published_version,
                          "has_changes": studio.has_changes}
    await publish(studio_topic(course_id), DRAFT_UPDATED.name, {"staff": data},
                  in_every_language(lambda: {"staff": studio_html(course_id, studio, oob=True)}))


# -- fresh regions on (re)connect -------------------------------------------------------

async def _resync_outline(topic: Topic, _user: User, audience: str) -> str:
    return outline_html(topic.key, await viewer_outline(audience, topic.key), oob=True)


async def _resync_studio(topic: Topic, _user: User, _audience: str) -> str:
    studio = await studio_outline(topic.key)
    return studio_html(topic.key, studio, oob=True) if studio else ""


def studio_topic(course_id: str) -> str:
    """The outline editor's topic: draft content, for the course's instructors only."""
    return f"studio:{course_id}"


async def _authorize_studio(topic: Topic, user: User) -> str | None:
    if user.is_admin:
        return await course_audience(topic.key, user)
    membership = await Membership.get_or_none(user_id=user.id, course_id=topic.key)
    return "staff" if membership is not None and membership.role == Role.INSTRUCTOR else None


def unit_topic(course_id: str, unit_id: str) -> str:
    return f"unit:{course_id}:{unit_id}"


def _split_unit_key(key: str) -> tuple[str, str]:
    course_id, _, unit_id = key.rpartition(":")  # block ids never hold ':'
    return course_id, unit_id


async def _authorize_unit(topic: Topic, user: User) -> str | None:
    """Members, as their audience; a student not for a unit not released to them."""
    course_id, unit_id = _split_unit_key(topic.key)
    if not course_id or not unit_id:
        return None
    audience = await course_audience(course_id, user)
    if audience is None or audience == STAFF:
        return audience
    course = await published_course(course_id)
    if course is not None and unit_id in course.structure and not course.sees(audience,
                                                                                 unit_id):
        return None
    return audience


async def _resync_unit(topic: Topic, _user: User, audience: str) -> str:
    course_id, unit_id = _split_unit_key(topic.key)
    course = await published_course(course_id)
    try:
        unit = None if course is None else await _unit_for(course, unit_id, audience)
    except (BlockNotFound, CourseNotFound):
        unit = None
    return unit_html(course_id, unit_id, unit, oob=True)
