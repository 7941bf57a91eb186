"""The members list, live: its topic (`members:<course_id>`), its event and its fragment.

Only the members page subscribes to `members:<course_id>`. Its readers are the course's
staff, as two audiences: `instructor` (the table with role and removal controls) and
`staff` (TAs: the same table, read-only). Every membership write (courses.membership)
pushes the whole table re-rendered from the database (and, to instructors, the invite
links, whose use counts change as people join), so a page kept open equals a reload.
"""

from __future__ import annotations

from typing import Any, TypedDict

from core.event_types import EventType
from core.i18n import gettext as _
from core.templating import render
from courses.audience import STAFF, course_audience
from courses.invite_queries import usable_invites
from models.courses import Membership, Role
from models.enrolment import Invite
from models.users import User
from realtime.publish import in_every_language, publish
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


async def members_of(course_id: str) -> list[Membership]:
    """A course's members in the order the members page lists them."""
    return await Membership.filter(course_id=course_id).prefetch_related("user").order_by(
        "user__name", "user_id")


def members_table(course_id: str, members: list[Membership], *, manage: bool,
                  oob: bool = False) -> str:
    return render("courses/_members_table.html", course_id=course_id, members=members,
                  roles=list(Role), role_names=role_names(), manage=manage, oob=oob)


def invite_list(course_id: str, invites: list[Invite], *, oob: bool = False) -> str:
    return render("courses/_invite_list.html", course_id=course_id, invites=invites,
                  role_names=role_names(), oob=oob)


def _instructor_view(course_id: str, members: list[Membership],
                     invites: list[Invite]) -> str:
    """The table with its controls, and the invite links (an accepted one counts a use)."""
    return (members_table(course_id, members, manage=True, oob=True)
            + invite_list(course_id, invites, oob=True))


async def members_changed(course_id: str, user_ids: list[int], *, removed: bool = False) -> None:
    """`course.members.changed` on `members:<course_id>`: the fresh table per audience."""
    members = await members_of(course_id)
    invites = await usable_invites(course_id)
    data: MembersChangedData = {"course_id": course_id, "user_ids": user_ids,
                                "removed": removed}
    await publish(f"members:{course_id}", MEMBERS_CHANGED.name,
                  {INSTRUCTOR: data, STAFF: data},
                  in_every_language(lambda: {
                      INSTRUCTOR: _instructor_view(course_id, members, invites),
                      STAFF: members_table(course_id, members, manage=False, oob=True)}))


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
    members = await members_of(topic.key)
    if audience == INSTRUCTOR:
        return _instructor_view(topic.key, members, await usable_invites(topic.key))
    return members_table(topic.key, members, manage=False, oob=True)
