"""Course groups (sections, tutorial groups) as objects: list, create, rename, delete, and
the staff assigned to each.

A member's group is their membership's `group` text, as the members page and the member
CSV set it (courses.membership); a CourseGroup gives that name an id. Renaming a group
renames it on its members' memberships and deleting one clears it there, in the same
transaction, through the one writer of memberships, so the live members table follows.
A TA or instructor assigned to groups sees their groups first: the gradebook and the
forum's moderation queue default to them (`viewer_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.errors import BadInput, Conflict, NotFound
from core.i18n import gettext as _
from core.ids import parse_id
from core.text import has_bad_text
from courses import events as member_events
from courses.group_moves import members_moved
from courses.membership import ensure_groups
from courses.service import MAX_GROUP, require_role
from models.courses import Membership, Role
from models.groups import CourseGroup, GroupStaff
from models.users import User


class BadGroupName(BadInput):
    """A group name the server cannot take (empty, too long, control characters)."""

    status = 422


@dataclass(frozen=True)
class GroupSummary:
    group: CourseGroup
    members: int  # students and staff whose membership names the group
    staff: list[User]


def group_name(value: object) -> str:
    """A group's name: 1-64 characters of text."""
    if not isinstance(value, str) or has_bad_text(value) or not value.strip() \
            or len(value.strip()) > MAX_GROUP:
        raise BadGroupName(_("A group name is text of 1 to %(max)d characters.", max=MAX_GROUP),
                           fields={"name": _("1 to %(max)d characters.", max=MAX_GROUP)})
    return value.strip()


async def get_group(course_id: str, group_id: object) -> CourseGroup:
    number = parse_id(group_id)
    group = None if number is None else await CourseGroup.get_or_none(id=number,
                                                                      course_id=course_id)
    if group is None:
        raise NotFound(_("No such group in this course."))
    return group


async def list_groups(actor: User, course_id: str) -> list[GroupSummary]:
    """The course's groups by name, each with its member count and assigned staff (staff)."""
    await require_role(actor, course_id, Role.TA)
    await ensure_groups(course_id, set(await Membership.filter(
        course_id=course_id, group__not_isnull=True).distinct().values_list("group", flat=True)))
    groups = await CourseGroup.filter(course_id=course_id).order_by("name", "id")
    names = await Membership.filter(course_id=course_id, group__not_isnull=True).values_list(
        "group", flat=True)
    counts: dict[str, int] = {}
    for name in names:
        counts[str(name)] = counts.get(str(name), 0) + 1
    assigned = await GroupStaff.filter(group__course_id=course_id).prefetch_related(
        "user").order_by("user__name", "user_id")
    staff: dict[int, list[User]] = {}
    for row in assigned:
        staff.setdefault(row.group_id, []).append(row.user)  # type: ignore[attr-defined]
    return [GroupSummary(g, counts.get(g.name, 0), staff.get(g.id, [])) for g in groups]


async def create_group(actor: User, course_id: str, name: object) -> CourseGroup:
    """A new, empty group (instructors)."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    text = group_name(name)
    try:
        async with in_transaction():
            return await CourseGroup.create(course_id=course_id, name=text)
    except IntegrityError:
        raise Conflict(_("There is already a group %(name)s.", name=text),
                       fields={"name": _("Already taken.")}) from None


async def rename_group(actor: User, course_id: str, group_id: object,
                       name: object) -> CourseGroup:
    """Rename a group and, with it, its members' memberships (instructors)."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    group = await get_group(course_id, group_id)
    text = group_name(name)
    if text == group.name:
        return group
    if await CourseGroup.exists(course_id=course_id, name=text):
        raise Conflict(_("There is already a group %(name)s.", name=text),
                       fields={"name": _("Already taken.")})
    async with in_transaction():
        members = await _set_members_group(course_id, group.name, text)
        group.name = text
        await group.save(update_fields=["name"])
        if members:
            await member_events.members_changed(course_id, members)
    return group


async def delete_group(actor: User, course_id: str, group_id: object) -> None:
    """Delete a group: its members keep their membership without a group, its staff
    assignments and group dates go with it (instructors)."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    group = await get_group(course_id, group_id)
    async with in_transaction():
        members = await _set_members_group(course_id, group.name, None)
        await members_moved(course_id, members)  # before the group's dates go with it
        await group.delete()
        if members:
            await member_events.members_changed(course_id, members)


async def assign_staff(actor: User, course_id: str, group_id: object,
                       user_ids: object) -> list[User]:
    """Make `user_ids` (TAs and instructors of the course) the group's staff, replacing
    who was assigned before (instructors)."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    group = await get_group(course_id, group_id)
    if not isinstance(user_ids, list) or len(user_ids) > 200:
        raise BadInput(_("staff is a list of user ids."), fields={"staff": _("A list.")})
    ids = [parse_id(v) for v in user_ids]  # positive 32-bit ids only (the fuzzer sent -10^12)
    if any(i is None for i in ids):
        raise BadInput(_("staff is a list of user ids."), fields={"staff": _("A list.")})
    wanted = sorted({int(i) for i in ids if i is not None})
    staff = await Membership.filter(course_id=course_id, user_id__in=wanted,
                                    role__in=[Role.TA, Role.INSTRUCTOR]).values_list(
        "user_id", flat=True)
    missing = [i for i in wanted if i not in set(staff)]
    if missing:
        raise NotFound(_("User %(id)d is not a TA or instructor of this course.",
                         id=missing[0]), fields={"staff": _("Not course staff.")})
    async with in_transaction():
        await GroupStaff.filter(group_id=group.id).exclude(user_id__in=wanted).delete()
        have = set(await GroupStaff.filter(group_id=group.id).values_list("user_id", flat=True))
        for user_id in wanted:
            if user_id not in have:
                await GroupStaff.create(group_id=group.id, user_id=user_id)
    return await User.filter(id__in=wanted).order_by("name", "id")


async def viewer_groups(viewer: User, course_id: str) -> list[str]:
    """The names of the groups `viewer` is assigned to in the course (none: they see all)."""
    return sorted(await CourseGroup.filter(course_id=course_id, staff__user_id=viewer.id
                                           ).values_list("name", flat=True))


async def group_names(course_id: str) -> list[str]:
    return sorted(await CourseGroup.filter(course_id=course_id).values_list("name", flat=True))


ALL, MINE = "all", "mine"


@dataclass(frozen=True)
class GroupChoice:
    """Which groups a staff list shows: `chosen` is what the filter says ("mine", "all" or
    a group's name), `names` the groups whose members pass (None: everyone)."""

    chosen: str
    names: tuple[str, ...] | None
    mine: tuple[str, ...]
    groups: tuple[str, ...]  # every group of the course, for the filter's options


async def choose_groups(viewer: User, course_id: str, value: object) -> GroupChoice:
    """The `?group=` filter of the gradebook and the moderation queue: absent or "" means
    the viewer's groups if they are assigned any, else all; "mine", "all" or a group's
    name (unknown: NotFound)."""
    mine = tuple(await viewer_groups(viewer, course_id))
    groups = tuple(await group_names(course_id))
    chosen = value.strip() if isinstance(value, str) else ""
    if not chosen:
        chosen = MINE if mine else ALL
    if chosen == ALL:
        return GroupChoice(ALL, None, mine, groups)
    if chosen == MINE:
        return GroupChoice(MINE, mine if mine else None, mine, groups)
    if chosen not in groups:
        raise NotFound(_("This course has no group %(name)s.", name=chosen[:MAX_GROUP]),
                       fields={"group": _("Unknown group.")})
    return GroupChoice(chosen, (chosen,), mine, groups)


async def _set_members_group(course_id: str, old: str, new: str | None) -> list[int]:
    members = await Membership.filter(course_id=course_id, group=old).values_list(
        "user_id", flat=True)
    if members:
        await Membership.filter(course_id=course_id, group=old).update(group=new)
    return [int(m) for m in members]


async def course_groups(course_id: str) -> list[CourseGroup]:
    """The course's groups by name (for staff forms; callers checked the role)."""
    return await CourseGroup.filter(course_id=course_id).order_by("name", "id")
