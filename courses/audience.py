"""The one rule for who reads a course as what: a course role -> an audience.

Everything rendered differently for students and staff (live frames per topic, pages, the
forum's anonymity) asks here: TAs and instructors read a course as staff, students as
students, site admins as staff in any course that exists, and anyone else not at all.
This module also authorizes the course topics (`course:<id>`, `course:<id>:forum`,
`course:<id>:staff`), since a socket asks the same question.
"""

from __future__ import annotations

from courses.student_view import is_previewed
from models.courses import Course, Membership, Role
from models.users import User
from realtime.topics import Topic

STAFF = "staff"
STUDENT = "student"
STAFF_ROLES = frozenset({Role.TA, Role.INSTRUCTOR})


def audience_of(role: Role) -> str:
    """The audience a member with `role` reads the course as: `staff` or `student`."""
    return STAFF if role in STAFF_ROLES else STUDENT


async def course_audience(course_id: str, user: User) -> str | None:
    """`staff` or `student` for a member (admins read as staff), None for anyone else;
    `student` for staff previewing the course as a student (courses.student_view)."""
    if user.is_admin:
        role = Role.INSTRUCTOR if await Course.exists(id=course_id) else None
    else:
        membership = await Membership.get_or_none(user_id=user.id, course_id=course_id)
        role = None if membership is None else membership.role
    return None if role is None else member_audience(course_id, role)


def member_audience(course_id: str, role: Role) -> str:
    """`course_audience` of a member whose role the caller has just read (an admin's:
    instructor), without reading it again."""
    return STUDENT if is_previewed(course_id) else audience_of(role)


async def _authorize_course(topic: Topic, user: User) -> str | None:
    return await course_audience(topic.key, user)


async def _authorize_course_staff(topic: Topic, user: User) -> str | None:
    return STAFF if await course_audience(topic.key, user) == STAFF else None
