"""A student's dates for a block as their group has them, and the rule that picks the
date in force: the student's own extension, else their group's date, else the block's.

Groups are courses.groups' (a member's group is their membership's `group` name); the
per-group dates are grading's (grading.group_deadlines writes them). Quizzes read a
group's window (opens/closes) through grading.api.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.courses import Membership
from models.groups import GroupDeadline


@dataclass(frozen=True)
class GroupDates:
    """One group's dates for one block; None: the block's own date applies."""

    group: str
    due_at: datetime | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def effective_date(block_date: datetime | None, group_date: datetime | None,
                   own_date: datetime | None) -> tuple[datetime | None, bool]:
    """The date in force and whether it differs from the block's own: a per-student
    override wins, else the group's, else the block's."""
    for date in (own_date, group_date):
        if date is not None:
            return date, True
    return block_date, False


async def group_dates(course_id: str, user_id: int, block_id: str) -> GroupDates | None:
    """The dates the student's group has for the block (None: no group, or no dates)."""
    names = await Membership.filter(course_id=course_id, user_id=user_id,
                                    group__not_isnull=True).values_list("group", flat=True)
    return await group_dates_of(course_id, names[0] if names else None, block_id)


async def group_dates_of(course_id: str, group: str | None, block_id: str) -> GroupDates | None:
    """`group_dates` for a student whose group the caller has read (their membership's
    `group`, as courses.service.require_member returns it; None: no group)."""
    if group is None:
        return None
    row = await GroupDeadline.get_or_none(group__course_id=course_id, group__name=group,
                                          block_id=block_id)
    if row is None:
        return None
    return GroupDates(str(group), row.due_at, row.opens_at, row.closes_at)
