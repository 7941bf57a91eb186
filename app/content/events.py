"""Content events: one definition each of topic, audiences and template.

- `content.published` on `course:<id>` (everyone): the outline region only, with the
  list of changed and removed units as data (course home, dashboards, unit pages).
- `content.unit.published` on `unit:<course id>:<unit id>` (members), once per unit
  whose published content changed or that was removed: that unit's region. Only the
  pages showing that unit subscribe, so a publish never sends every unit's HTML to
  every open course page.
- `content.draft.updated` on `studio:<course id>` (instructors only: TAs are staff but
  do not author, and the draft is unpublished content): the outline editor region.
"""

from __future__ import annotations

from typing import Any

from app.templating import render
from content_store import BlockNotFound, CourseNotFound
from content_store.blocks import BLOCK_TYPES
from content_store.publishing import subtree_differs
from models.courses import Membership, Role
from models.users import User
from realtime.publish import publish
from realtime.resync import register_resync
from realtime.topics import Topic, course_audience, register_topic_kind


def outline_html(course_id: str, outline: dict[str, Any] | None, oob: bool) -> str:
    return render("content/_outline.html", course_id=course_id, outline=outline, oob=oob)


def unit_html(course_id: str, unit_id: str, unit: Any, oob: bool) -> str:
    return render("content/_unit.html", course_id=course_id, unit_id=unit_id, unit=unit,
                  oob=oob)


def studio_html(course_id: str, studio: Any, oob: bool) -> str:
    return render("content/_studio_outline.html", course_id=course_id, studio=studio,
                  oob=oob, labels={name: kind.label for name, kind in BLOCK_TYPES.items()})


async def content_published(course_id: str, before: str | None, after: str) -> None:
    """`content.published`: fresh outline plus every unit that looks different now."""
    from app.content.connect import current_store
    from app.content.service import outline_of, unit_of

    store = current_store()
    new = await store.get_structure(after)
    old = await store.get_structure(before) if before else None
    changed = [k for k in new.descendants(new.root)
               if k.type == "vertical" and subtree_differs(new, old, k)]
    removed = [k for k in (old.descendants(old.root) if old else [])
               if k.type == "vertical" and k not in new.blocks]
    units = [(key.id, await unit_of(course_id, key.id)) for key in changed]
    units += [(key.id, None) for key in removed]
    data = {"published_version": after, "previous_version": before,
            "changed_units": [k.id for k in changed], "removed_units": [k.id for k in removed]}
    await publish(f"course:{course_id}", "content.published", {"*": data},
                  {"*": outline_html(course_id, await outline_of(course_id), oob=True)})
    for unit_id, unit in units:
        await publish(unit_topic(course_id, unit_id), "content.unit.published",
                      {"*": {"unit": unit_id, "published_version": after,
                             "removed": unit is None}},
                      {"*": unit_html(course_id, unit_id, unit, oob=True)})


async def draft_updated(course_id: str) -> None:
    """`content.draft.updated`: the outline editor as it is now, for every instructor."""
    from app.content.authoring import studio_outline

    studio = await studio_outline(course_id)
    if studio is None:
        return
    data = {"draft_version": studio.draft_version,
            "published_version": studio.published_version,
            "has_changes": studio.has_changes}
    await publish(studio_topic(course_id), "content.draft.updated", {"staff": data},
                  {"staff": studio_html(course_id, studio, oob=True)})


# -- fresh regions on (re)connect -------------------------------------------------------

async def _resync_outline(topic: Topic, _user: User, _audience: str) -> str:
    from app.content.service import outline_of

    return outline_html(topic.key, await outline_of(topic.key), oob=True)


async def _resync_studio(topic: Topic, _user: User, _audience: str) -> str:
    from app.content.authoring import studio_outline

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
    course_id, unit_id = _split_unit_key(topic.key)
    if not course_id or not unit_id:
        return None
    return await course_audience(course_id, user)


async def _resync_unit(topic: Topic, _user: User, _audience: str) -> str:
    from app.content.service import unit_of

    course_id, unit_id = _split_unit_key(topic.key)
    try:
        unit = await unit_of(course_id, unit_id)
    except (BlockNotFound, CourseNotFound):
        unit = None
    return unit_html(course_id, unit_id, unit, oob=True)


register_resync("course", _resync_outline)
register_topic_kind("studio", _authorize_studio)
register_resync("studio", _resync_studio)
register_topic_kind("unit", _authorize_unit)
register_resync("unit", _resync_unit)
