"""The gradebook one keyset page of rows at a time (API.md "Lists").

Rows are in the gradebook's order (by name, then id). A page's key is its last student's
id; the next page holds the rows after that student's place in the order now, so a
student enrolled meanwhile shows up on whichever page their name sorts into (never twice),
and grades change in place without moving rows. Filters (`q`, `only`, `section`, `group`) apply
before paging, so each page holds `limit` rows that pass them.
"""

from __future__ import annotations

from core.errors import BadInput
from core.ids import MAX_ID
from core.paging import PageRequest
from courses.service import require_role
from grading.course_blocks import CourseLayout, course_layout
from grading.gradebook import (
    GradebookFilter,
    StudentGrade,
    course_students,
    gradebook,
    grades_for,
    narrow,
    row_kept,
    row_sort_key,
    section_view,
)
from models.courses import Role
from models.users import User

GRADES_LIMIT, GRADES_MAX = 100, 500  # gradebook rows per page: default and maximum


async def _students_after(course_id: str, filters: GradebookFilter,
                          after: int | None) -> list[User]:
    users = await course_students(course_id, filters.query, filters.groups)
    if after is None:
        return users
    last = await User.get_or_none(id=after) if after <= MAX_ID else None
    if last is None:
        raise BadInput("after must be the key a previous page's next link gave.",
                       fields={"after": "Unknown student."})
    mark = row_sort_key(last)
    return [u for u in users if row_sort_key(u) > mark]


async def gradebook_page(viewer: User, course_id: str, filters: GradebookFilter,
                         page: PageRequest
                         ) -> tuple[CourseLayout, list[StudentGrade], tuple[int, ...] | None]:
    """One page of the gradebook (grading.gradebook.gradebook: staff every student,
    a student their own row) and the next page's key (None: the last page)."""
    key = page.key(1)
    if await require_role(viewer, course_id, Role.STUDENT) == Role.STUDENT:
        layout, own = await gradebook(viewer, course_id, filters)
        return layout, [] if key else own, None
    layout = await course_layout(course_id)
    view = section_view(layout, filters.section)
    users = await _students_after(course_id, filters, key[0] if key else None)
    keep, rows, size = row_kept(filters), [], page.limit + 1
    for start in range(0, len(users), size):
        rows += [g for g in await grades_for(layout, users[start:start + size]) if keep(g)]
        if len(rows) > page.limit:
            break
    shown = narrow(rows[:page.limit], filters.section)
    return view, shown, (shown[-1].user_id,) if len(rows) > page.limit else None
