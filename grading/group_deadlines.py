"""Per-group dates: staff give one group a due date for a graded block, or a window
(opens/closes) for a quiz, or take it back. Each student of the group gets it unless they
have their own extension (grading.group_dates.effective_date), and their open pages are
told at once, exactly as for a per-student extension; so are students who move to another
group or lose theirs (`members_moved`, courses.group_moves)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.errors import BadInput, NotFound
from core.i18n import gettext as _
from courses.groups import get_group
from courses.service import require_role
from grading import events
from grading.block_types import current_block_types
from grading.course_blocks import graded_block
from grading.extensions import due_at_field
from models.courses import Membership, Role
from models.groups import CourseGroup, GroupDeadline
from models.users import User


async def set_group_deadline(actor: User, course_id: str, group_id: object, block_id: str,
                             due_at: object = None, opens_at: object = None,
                             closes_at: object = None, *,
                             zone: str | None = None) -> GroupDeadline:
    """Give a group its own dates for one block (TAs and instructors), replacing any it
    had. A date without an offset is on the clock of `zone` (a form), else UTC (the API)."""
    await require_role(actor, course_id, Role.TA)
    group = await get_group(course_id, group_id)
    block, _policy = await graded_block(course_id, block_id)
    due = due_at_field(due_at, zone, "due_at")
    opens = due_at_field(opens_at, zone, "opens_at")
    closes = due_at_field(closes_at, zone, "closes_at")
    if due is None and opens is None and closes is None:
        raise BadInput(_("Give a due date, an opening or a closing time."),
                       fields={"due_at": _("Required without a window.")})
    if opens is not None and closes is not None and closes <= opens:
        raise BadInput(_("The window must close after it opens."),
                       fields={"closes_at": _("After the opening time.")})
    async with in_transaction():  # the dates and their events commit together
        row, created = await GroupDeadline.get_or_create(
            group_id=group.id, block_id=block_id,
            defaults={"due_at": due, "opens_at": opens, "closes_at": closes})
        if not created:
            row.due_at, row.opens_at, row.closes_at = due, opens, closes
            await row.save()
        await _tell_students(group, block.id, block.type)
    return row


async def clear_group_deadline(actor: User, course_id: str, group_id: object,
                               block_id: str) -> None:
    """Take a group's dates for a block back: the block's own apply again."""
    await require_role(actor, course_id, Role.TA)
    group = await get_group(course_id, group_id)
    if not await GroupDeadline.exists(group_id=group.id, block_id=block_id):
        raise NotFound(_("This group has no dates of its own for that block."))
    block, _policy = await graded_block(course_id, block_id)
    async with in_transaction():
        if not await GroupDeadline.filter(group_id=group.id, block_id=block_id).delete():
            raise NotFound(_("This group has no dates of its own for that block."))
        await _tell_students(group, block.id, block.type)


async def list_group_deadlines(actor: User, course_id: str) -> list[GroupDeadline]:
    """The course's per-group dates, by group name and block (TAs and instructors)."""
    await require_role(actor, course_id, Role.TA)
    return await GroupDeadline.filter(group__course_id=course_id).prefetch_related(
        "group").order_by("group__name", "block_id")


async def members_moved(course_id: str, user_ids: list[int]) -> None:
    """Members who changed group (courses.group_moves): for every block with per-group dates
    in the course, the students among them are told their date, as when the dates change."""
    students = [int(u) for u in await Membership.filter(
        course_id=course_id, user_id__in=user_ids, role=Role.STUDENT).values_list(
        "user_id", flat=True)]
    if not students:
        return
    block_ids = sorted(set(await GroupDeadline.filter(group__course_id=course_id).values_list(
        "block_id", flat=True)))
    for block_id in block_ids:
        try:
            block, _policy = await graded_block(course_id, block_id)
        except NotFound:  # a block removed from the course keeps its dates, shows nowhere
            continue
        await _tell(course_id, block.id, block.type, students)


async def _tell_students(group: CourseGroup, block_id: str, block_type: str) -> None:
    students = [int(u) for u in await Membership.filter(
        course_id=group.course_id, group=group.name, role=Role.STUDENT).values_list(
        "user_id", flat=True)]
    await _tell(group.course_id, block_id, block_type, students)


async def _tell(course_id: str, block_id: str, block_type: str, students: list[int]) -> None:
    for user_id in students:
        await events.block_state_changed(user_id, course_id, block_id)
    hooks = current_block_types().get(block_type)
    if hooks is not None and hooks.dates_changed is not None and students:
        await hooks.dates_changed(course_id, block_id, students)
