"""The course catalogue: courses open for self-enrolment, and joining one as a student."""

from __future__ import annotations

from core.errors import NotFound
from core.i18n import gettext as _
from courses.membership import write_membership
from courses.service import MAX_COURSE_ID, require_role
from models.courses import Course, Membership, Role
from models.users import User


async def open_courses() -> list[Course]:
    """Every course that lets signed-in users enrol themselves, by title."""
    return await Course.filter(self_enrolment=True).order_by("title", "id")


async def open_course(course_id: str) -> Course:
    """The course if it is open for self-enrolment; NotFound otherwise."""
    course = (None if len(course_id) > MAX_COURSE_ID
              else await Course.get_or_none(id=course_id))
    if course is None or not course.self_enrolment:
        raise NotFound(_("No course %(course)r open to you. If you were invited, use the invite "
                         "link; open courses are in the course catalogue.", course=course_id))
    return course


async def self_enrol(user: User, course_id: str) -> Membership:
    """Join an open course as a student; a member keeps the role they have."""
    await open_course(course_id)
    current = await Membership.get_or_none(user_id=user.id, course_id=course_id)
    if current is not None:
        return current
    return await write_membership(course_id, user.id, Role.STUDENT)


async def set_self_enrolment(actor: User, course_id: str, open_: bool) -> Course:
    """List the course in the catalogue (or take it out) (instructors)."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    course = await Course.get(id=course_id)
    course.self_enrolment = open_
    await course.save(update_fields=["self_enrolment"])
    return course
