"""Members who changed group get their new group's dates on their open pages at once.

A move (the members page, a CSV import, a deleted group) changes which per-group due date or
quiz window applies to a student (grading.group_dates). Grading, a layer above courses,
owns those dates and the pages that show them, so it provides the listener when it
installs; the membership writers call `members_moved` inside their transaction, so the
move and its live frames commit together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.context import RuntimeValue

GroupMoveListener = Callable[[str, list[int]], Awaitable[None]]
GROUP_MOVES: RuntimeValue[GroupMoveListener] = RuntimeValue("group move listener")


async def members_moved(course_id: str, user_ids: list[int]) -> None:
    """Tell the listener (if one is installed) that these members' group changed."""
    listener = GROUP_MOVES.peek()
    if listener is not None and user_ids:
        await listener(course_id, user_ids)
