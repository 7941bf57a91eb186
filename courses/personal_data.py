"""Courses' part of a person's export and erasure: memberships, invites they made and the
groups they are assigned to as staff.

A membership moves to the tombstone, so a course keeps its number of students (and the
gradebook its row, shown as "Deleted user"); open member lists get the new table."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart, move_rows
from courses.events import members_changed
from models.courses import Membership
from models.enrolment import Invite
from models.groups import GroupStaff


async def export(user_id: int) -> dict[str, Any]:
    return {
        "memberships": await Membership.filter(user_id=user_id).order_by("id").values(
            "course_id", "role", "group", "created_at"),
        "invites_made": await Invite.filter(created_by_id=user_id).order_by("id").values(
            "course_id", "role", "uses", "max_uses", "expires_at", "created_at"),
        "group_assignments": await GroupStaff.filter(user_id=user_id).order_by("id").values(
            "group__course_id", "group__name"),
    }


async def erase(erasure: Erasure) -> None:
    course_ids = await Membership.filter(user_id=erasure.user_id).values_list(
        "course_id", flat=True)
    await move_rows(erasure, Membership, "user_id")
    await move_rows(erasure, Invite, "created_by_id")
    # A staff assignment serves only the person: it goes (the group stays).
    await GroupStaff.filter(user_id=erasure.user_id).delete()
    for course_id in course_ids:  # open member lists show the tombstone, live
        await members_changed(str(course_id), [erasure.user_id, erasure.tombstone_id],
                              placed=[erasure.tombstone_id])


PART = PersonalDataPart(export=export, erase=erase)
