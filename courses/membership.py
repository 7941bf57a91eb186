"""The one writer of memberships: every enrolment, role change, group change and removal.

Role changes, removals, invite acceptance, CSV import, self-enrolment and course import all
come here, so each write does the same three things in one transaction: change the row,
push the course's members list to the staff pages that show it (courses.events),
and tell realtime the user's rights changed (realtime.rights), so their open sockets gain
or lose topics at once. Callers check who may make the change; this module does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from courses import events as member_events
from courses.group_moves import members_moved
from models.courses import Membership, Role
from models.groups import CourseGroup
from realtime.rights import rights_changed


class _Keep(Enum):
    GROUP = "keep"


KEEP_GROUP = _Keep.GROUP  # a write that leaves the member's group as it is


@dataclass(frozen=True)
class MemberChange:
    """One membership to write: `role` for `user_id`, and their group unless KEEP_GROUP."""

    user_id: int
    role: Role
    group: str | _Keep | None = KEEP_GROUP


async def write_memberships(course_id: str, changes: list[MemberChange]) -> list[Membership]:
    """Enrol or update each member, then push the members list once (a whole CSV import is
    one event, not one per line)."""
    if not changes:
        return []
    async with in_transaction():
        before = set(await Membership.filter(
            course_id=course_id, user_id__in=[c.user_id for c in changes]
        ).values_list("user_id", flat=True))
        written = [await _write_one(course_id, change) for change in changes]
        await ensure_groups(course_id, {c.group for c in changes if isinstance(c.group, str)})
        changed = [membership.user_id for membership, made, _moved in written if made]
        if changed:  # rewriting what is already there re-checks and pushes nothing
            await member_events.members_changed(
                course_id, changed, placed=[u for u in changed if u not in before])
        for user_id in changed:
            await rights_changed(user_id)
        await members_moved(course_id, [m.user_id for m, _made, moved in written if moved])
    return [membership for membership, _made, _moved in written]


async def write_membership(course_id: str, user_id: int, role: Role,
                           group: str | _Keep | None = KEEP_GROUP) -> Membership:
    """Enrol `user_id` with `role` or change their role (and group, when given)."""
    [membership] = await write_memberships(course_id, [MemberChange(user_id, role, group)])
    return membership


async def delete_membership(membership: Membership) -> None:
    """Remove a member from their course."""
    async with in_transaction():
        await membership.delete()
        await member_events.members_changed(membership.course_id, [membership.user_id],
                                            removed=True)
        await rights_changed(membership.user_id)


async def _write_one(course_id: str, change: MemberChange) -> tuple[Membership, bool, bool]:
    """The membership as `change` wants it, whether anything had to change, and whether an
    existing member changed group."""
    membership = await Membership.get_or_none(user_id=change.user_id, course_id=course_id)
    if membership is None:
        group = None if change.group is KEEP_GROUP else change.group
        try:
            async with in_transaction():  # a savepoint: a concurrent enrolment wins cleanly
                return await Membership.create(user_id=change.user_id, course_id=course_id,
                                               role=change.role, group=group), True, False
        except IntegrityError:
            membership = await Membership.get(user_id=change.user_id, course_id=course_id)
    group = membership.group if change.group is KEEP_GROUP else change.group
    if membership.role == change.role and membership.group == group:
        return membership, False, False
    moved = membership.group != group
    membership.role, membership.group = change.role, group
    await membership.save(update_fields=["role", "group"])
    return membership, True, moved


async def ensure_groups(course_id: str, names: set[str]) -> None:
    """Give each group name set on a membership its group object (courses.groups), so a
    group typed on the members page or in a CSV can be renamed, deleted and staffed."""
    if not names:
        return
    known = set(await CourseGroup.filter(course_id=course_id, name__in=list(names)
                                         ).values_list("name", flat=True))
    for name in sorted(names - known):
        try:
            async with in_transaction():  # a savepoint: a concurrent writer wins cleanly
                await CourseGroup.create(course_id=course_id, name=name)
        except IntegrityError:
            pass
