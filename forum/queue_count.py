"""How many moderation items wait in a course: the live count beside "Moderation" in the
course's staff navigation. Pushed with every queue change on `course:<id>:staff` and
re-rendered on resync, so every open staff page keeps the same count as a reload."""

from __future__ import annotations

from core.templating import render
from forum.anonymity import STAFF
from forum.queries import moderation_queue


async def waiting_count(course_id: str) -> int:
    """The items in the course's moderation queue (flags, held posts, held edits)."""
    return len(await moderation_queue(course_id, STAFF))


def count_html(course_id: str, count: int, *, oob: bool) -> str:
    return render("forum/_modq_count.html", course_id=course_id, count=count, oob=oob)


async def count_fragment(course_id: str) -> str:
    """The count as it is now, as an out-of-band part."""
    return count_html(course_id, await waiting_count(course_id), oob=True)
