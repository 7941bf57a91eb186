"""The release rule (courses.release) applied to a course's published content, for a viewer.

Every path that shows a student published content asks here: courseware's outline, unit
pages, block JSON and live frames, grading's submissions, the forum's discussion panels.
A block a student may not see is NotFound for them, exactly like a block that does not
exist, so its existence is not revealed either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content_store import PUBLISHED, CourseNotFound
from content_store.connect import current_store
from content_store.outline import build_outline
from content_store.structure import Structure
from core import clock
from core.errors import InvalidState, NotFound
from core.i18n import gettext as _
from courses.audience import STAFF, course_audience
from courses.release import Release, outline_for, release_of
from models.users import User


@dataclass(frozen=True)
class PublishedCourse:
    """A course's published version and what of it students may see right now."""

    course_id: str
    structure: Structure
    release: Release

    def outline(self, audience: str | None) -> dict[str, Any]:
        """The outline `audience` reads (students': filtered; staff's: marked)."""
        return outline_for(build_outline(self.structure), self.release, audience)

    def sees(self, audience: str | None, block_id: str) -> bool:
        return block_id in self.structure and self.release.sees(audience, block_id)


async def published_course(course_id: str, *, fresh: bool = False) -> PublishedCourse | None:
    """The published version now (None before anything is published). Pages read the
    process's cached branch pointer; `fresh` (submissions) reads the course index."""
    try:
        structure = await current_store().get_branch(course_id, PUBLISHED, cached=not fresh)
    except CourseNotFound:
        return None
    return PublishedCourse(course_id, structure, release_of(structure, clock.now()))


async def viewer_outline(audience: str | None, course_id: str) -> dict[str, Any] | None:
    """The published outline as `audience` reads it now, or None before any publish."""
    course = await published_course(course_id)
    return None if course is None else course.outline(audience)


async def require_visible(user: User, course_id: str, block_id: str) -> str | None:
    """NotFound unless `user` may see published block `block_id` now; returns the user's
    audience. (Whether the block exists at all is the caller's own check.)"""
    audience = await course_audience(course_id, user)
    await require_visible_to(audience, course_id, block_id)
    return audience


async def require_visible_to(audience: str | None, course_id: str, block_id: str) -> None:
    """`require_visible` for a viewer whose audience the caller has read (a role check's
    courses.service.Member.audience)."""
    if audience == STAFF:
        return
    course = await published_course(course_id)
    if course is not None and block_id in course.structure and not course.sees(
            audience, block_id):
        raise NotFound(_("No block %(block)r in this course.", block=block_id),
                       fields={"block": block_id})


async def require_open_for_submissions(user: User, course_id: str, block_id: str) -> None:
    """Refuse a student's submission to a block they may not see (NotFound, as for an
    unknown block) or after the course's end (InvalidState). Staff may always submit."""
    await require_open_to(await course_audience(course_id, user), course_id, block_id)


async def require_open_to(audience: str | None, course_id: str, block_id: str) -> None:
    """`require_open_for_submissions` for a submitter whose audience the caller has read
    (a role check's courses.service.Member.audience)."""
    if audience == STAFF:
        return
    course = await published_course(course_id, fresh=True)
    if course is None or block_id not in course.structure:
        return  # unknown blocks are the caller's NotFound
    if not course.sees(audience, block_id):
        raise NotFound(_("No block %(block)r in this course.", block=block_id),
                       fields={"block": block_id})
    if course.release.ended:
        end = course.release.end
        raise InvalidState(_("This course ended on %(end)s UTC; it no longer accepts submissions.",
                             end=format(end, "%Y-%m-%d %H:%M")),
                           fields={"end": end.isoformat() if end else ""})
