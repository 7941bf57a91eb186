"""The members list, live: its topic (`members:<course_id>`), its event and its fragment.

Only the members page subscribes to `members:<course_id>`. Its readers are the course's
staff, as two audiences: `instructor` (the table with role and removal controls) and
`staff` (TAs: the same table, read-only). The table pages with "load more"
(courses.member_pages), so every membership write (courses.membership) pushes the rows it
changed, each landing only where the page shows its place, and the member count (and, to
instructors, the invite links, whose use counts change as people join); a resync re-sends
the table as far as the page had loaded it. So a page kept open equals a reload loaded as
far.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypedDict

from core.event_types import EventType
from core.i18n import gettext as _
from core.paging import PageRequest
from core.templating import render
from courses import member_pages
from courses.audience import STAFF, course_audience
from courses.invite_queries import usable_invites
from models.courses import Membership, Role
from models.enrolment import Invite
from models.users import User
from realtime.publish import in_every_language, publish
from realtime.resync import loaded_count
from realtime.topics import Topic

INSTRUCTOR = "instructor"  # the audience that may change roles and remove members


def role_names() -> dict[str, str]:
    """Each role's name, in the language of the page being rendered."""
    return {Role.STUDENT.value: _("Student"), Role.TA.value: _("Teaching assistant"),
            Role.INSTRUCTOR.value: _("Instructor")}


class MembersChangedData(TypedDict):
    course_id: str
    user_ids: list[int]  # the members enrolled, changed or removed
    removed: bool


MEMBERS_CHANGED = EventType(
    "course.members.changed",
    "Members joined, changed role or group, or left a course (staff; `members:<course_id>`).",
    MembersChangedData, ("members:<course_id>",))
EVENT_TYPES = (MEMBERS_CHANGED,)


async def members_table(course_id: str, *, manage: bool, loaded: int = 0,
                        oob: bool = False) -> str:
    """The table with its first page of rows (a resync: as many as the page had `loaded`,
    if more), then "load more" or the end marker."""
    members, after, counts = await member_pages.members_page(
        course_id, PageRequest(max(member_pages.MEMBERS_LIMIT, loaded)))
    return render("courses/_members_table.html", course_id=course_id, members=members,
                  more=member_pages.more_url(course_id, after), census=counts,
                  roles=list(Role), role_names=role_names(), manage=manage, oob=oob)


def invite_list(course_id: str, invites: list[Invite], *, oob: bool = False) -> str:
    return render("courses/_invite_list.html", course_id=course_id, invites=invites,
                  role_names=role_names(), oob=oob)


async def members_changed(course_id: str, user_ids: list[int], *, removed: bool = False,
                          placed: Collection[int] = ()) -> None:
    """`course.members.changed` on `members:<course_id>`: the changed rows per audience
    (`placed`: members new to the table, or whose place in its order changed), and for
    instructors the invite links (an accepted one counts a use)."""
    data: MembersChangedData = {"course_id": course_id, "user_ids": user_ids,
                                "removed": removed}
    members = await member_pages.ordered_members(course_id)
    invites = await usable_invites(course_id)
    placed = set(placed)

    def rows(manage: bool) -> str:
        return member_pages.changed_rows_html(course_id, members, user_ids, manage=manage,
                                              placed=placed)

    await publish(f"members:{course_id}", MEMBERS_CHANGED.name,
                  {INSTRUCTOR: data, STAFF: data},
                  in_every_language(lambda: {
                      INSTRUCTOR: rows(True) + invite_list(course_id, invites, oob=True),
                      STAFF: rows(False)}))


async def members_audience(course_id: str, user: User) -> str | None:
    """`instructor` or `staff` (TAs) for the course's staff, None for anyone else."""
    if await course_audience(course_id, user) != STAFF:
        return None
    if user.is_admin:
        return INSTRUCTOR
    membership = await Membership.get_or_none(user_id=user.id, course_id=course_id)
    return INSTRUCTOR if membership and membership.role == Role.INSTRUCTOR else STAFF


async def _authorize_members(topic: Topic, user: User) -> str | None:
    return await members_audience(topic.key, user)


async def _resync_members(topic: Topic, _user: Any, audience: str) -> str:
    loaded = loaded_count(member_pages.rows_id(topic.key))
    table = await members_table(topic.key, manage=audience == INSTRUCTOR, loaded=loaded,
                                oob=True)
    if audience != INSTRUCTOR:
        return table
    return table + invite_list(topic.key, await usable_invites(topic.key), oob=True)
