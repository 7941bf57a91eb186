"""Courses, memberships and the one role check every route uses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from accounts.service import EMAIL_MESSAGE, email_problem
from core.errors import BadInput, Conflict, NotFound, PermissionDenied
from core.i18n import gettext as _
from core.text import has_bad_text
from courses.audience import audience_of
from courses.membership import delete_membership, write_membership
from courses.student_view import is_previewed
from models.courses import Course, Membership, Role
from models.statements import get_with
from models.users import User

_PART = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_RANK = {Role.STUDENT: 1, Role.TA: 2, Role.INSTRUCTOR: 3}


def course_key(org: str, number: str, run: str) -> str:
    return f"course-v1:{org}+{number}+{run}"


def role_rank(role: Role) -> int:
    """Higher for more rights: student < ta < instructor."""
    return _RANK[role]


def parse_role(value: object) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise BadInput(_("Role must be student, ta or instructor."),
                       fields={"role": _("Choose student, ta or instructor.")}) from None


MAX_COURSE_ID = 255  # the courses.id column: a longer id names no course


async def get_course(course_id: str) -> Course:
    course = None if len(course_id) > MAX_COURSE_ID else await Course.get_or_none(id=course_id)
    if course is None:
        raise NotFound(_("No course %(course)r.", course=course_id))
    return course


async def role_in(user: User, course_id: str) -> Role | None:
    if len(course_id) > MAX_COURSE_ID:
        return None
    membership = await Membership.get_or_none(user_id=user.id, course_id=course_id)
    return membership.role if membership else None


async def require_role(user: User, course_id: str, minimum: Role | str = Role.STUDENT) -> Role:
    """The user's role in the course if it is at least `minimum`; else a typed error.

    Unknown course -> NotFound; not a member -> NotFound too (a course's existence is not
    revealed to outsiders); member below `minimum` -> PermissionDenied. Admins pass as
    instructors.
    """
    if user.is_admin:
        await get_course(course_id)
        return _at_least(Role.INSTRUCTOR, course_id, minimum)
    # A membership row exists only for a course that does (a foreign key, deleted with
    # the course), so for a member it alone answers both questions: one statement.
    return _at_least(await role_in(user, course_id), course_id, minimum)


@dataclass(frozen=True)
class Member:
    """What one role check reads of a user in a course (one statement for a member): the
    course, the role as `require_role` returns it, and the user's group."""

    course: Course
    role: Role
    group: str | None  # their membership's group (courses.groups), None for none

    @property
    def audience(self) -> str:
        """courses.audience.course_audience of this user, without reading it again."""
        return audience_of(self.role)


@dataclass(frozen=True)
class MembershipRead:
    """A membership as read earlier in the same request (`membership_of`'s answer, None
    for none), so that the request's later role check need not read it again: a page's
    frame reads it, then the page's route checks the role with it."""

    user_id: int
    course_id: str
    membership: Membership | None


async def membership_of(user: User, course_id: str) -> Membership | None:
    """The user's membership of the course with the course row (`membership.course`), in
    one statement; None for a non-member (or a course that does not exist)."""
    if len(course_id) > MAX_COURSE_ID:
        return None
    membership: Membership | None = await get_with(
        Membership, "course", {"user_id": user.id, "course_id": course_id})
    return membership


async def require_member(user: User, course_id: str,
                         minimum: Role | str = Role.STUDENT, *,
                         read: MembershipRead | None = None) -> Member:
    """`require_role` (the same checks and errors) that also returns the course and the
    user's group, read in the same statement, for callers that need them. `read`: this
    request's earlier read of the membership; used only if it is this user's in this
    course."""
    if read is not None and read.user_id == user.id and read.course_id == course_id:
        membership = read.membership
    else:
        membership = await membership_of(user, course_id)
    group = membership.group if membership is not None else None
    if user.is_admin:  # an admin need not be a member: the course row is still read
        course = membership.course if membership is not None else await get_course(course_id)
        return Member(course, _at_least(Role.INSTRUCTOR, course_id, minimum), group)
    if membership is None:
        raise NotFound(_("No course %(course)r.", course=course_id))
    return Member(membership.course, _at_least(membership.role, course_id, minimum), group)


def _at_least(role: Role | None, course_id: str, minimum: Role | str) -> Role:
    if role is None:
        raise NotFound(_("No course %(course)r.", course=course_id))
    if is_previewed(course_id):  # staff viewing the course as a student
        role = Role.STUDENT
    if _RANK[role] < _RANK[Role(minimum)]:
        raise PermissionDenied(_("This needs the %(role)s role in this course.",
                                 role=Role(minimum).value))
    return role


async def create_course(user: User, org: object, number: object, run: object,
                        title: object) -> Course:
    """Create a course; its creator becomes its instructor."""
    if not (user.is_admin or user.can_create_courses):
        raise PermissionDenied(_("Only admins and course creators can create courses."))
    errors = {
        name: _("Use 1-64 letters, digits, '_', '.' or '-'.")
        for name, value in (("org", org), ("number", number), ("run", run))
        if not isinstance(value, str) or not _PART.match(value)
    }
    if not isinstance(title, str) or not title.strip() or len(title) > 255:
        errors["title"] = _("Enter a title (at most 255 characters).")
    if errors:
        raise BadInput(_("Please correct the highlighted fields."), fields=errors)
    assert isinstance(org, str) and isinstance(number, str) and isinstance(run, str)
    assert isinstance(title, str)
    course_id = course_key(org, number, run)
    try:
        async with in_transaction():
            course = await Course.create(id=course_id, org=org, number=number, run=run,
                                         title=title.strip())
            await write_membership(course_id, user.id, Role.INSTRUCTOR)
    except IntegrityError:
        raise Conflict(_("Course %(course)s already exists.", course=course_id),
                       fields={"run": _("This org/number/run already exists.")}) from None
    return course


async def courses_of(user: User) -> list[tuple[Course, Role]]:
    memberships = await Membership.filter(user_id=user.id).prefetch_related("course").order_by(
        "course__title")
    return [(m.course, m.role) for m in memberships]


async def set_member_role(actor: User, course_id: str, user_id: int, role: object,
                          group: object = None) -> Membership:
    """Add a user to a course or change their role, and their group when `group` is given
    ("" clears it) (instructors only)."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    new_role = parse_role(role)
    if not await User.exists(id=user_id):
        raise NotFound(_("No user %(user)s.", user=user_id))
    membership = await Membership.get_or_none(user_id=user_id, course_id=course_id)
    demoting = membership is not None and membership.role == Role.INSTRUCTOR
    if demoting and new_role != Role.INSTRUCTOR:
        await _keep_one_instructor(course_id, user_id)
    if group is None:
        return await write_membership(course_id, user_id, new_role)
    return await write_membership(course_id, user_id, new_role, parse_group(group))


MAX_GROUP = 64


def parse_group(value: object) -> str | None:
    """A member's group: up to 64 characters of text; empty means none."""
    if not isinstance(value, str) or has_bad_text(value) or len(value.strip()) > MAX_GROUP:
        raise BadInput(_("A group name is text of at most %(max)d characters.", max=MAX_GROUP),
                       fields={"group": _("At most %(max)d characters.", max=MAX_GROUP)})
    return value.strip() or None


async def grant_role(course_id: str, user_id: int, role: Role) -> Membership:
    """Make a user a member with at least `role`, never lowering a role they hold (for
    enrolments an outside system vouches for, such as an LTI launch; no actor to check)."""
    await get_course(course_id)
    membership = await Membership.get_or_none(user_id=user_id, course_id=course_id)
    if membership is not None and _RANK[membership.role] >= _RANK[role]:
        return membership
    return await write_membership(course_id, user_id, role)


async def add_member_by_email(actor: User, course_id: str, email: object,
                              role: object) -> Membership:
    if not isinstance(email, str) or not email.strip():
        raise BadInput(_("Enter the member's email."), fields={"email": _("Required.")})
    if email_problem(email):
        raise BadInput(_(EMAIL_MESSAGE), fields={"email": _(EMAIL_MESSAGE)})
    user = await User.get_or_none(email=email.strip().lower())
    if user is None:
        raise NotFound(_("No account with that email; ask them to register first."),
                       fields={"email": _("No account with this email.")})
    return await set_member_role(actor, course_id, user.id, role)


async def remove_member(actor: User, course_id: str, user_id: int) -> None:
    await require_role(actor, course_id, Role.INSTRUCTOR)
    membership = await Membership.get_or_none(user_id=user_id, course_id=course_id)
    if membership is None:
        raise NotFound(_("That user is not a member of this course."))
    if membership.role == Role.INSTRUCTOR:
        await _keep_one_instructor(course_id, user_id)
    await delete_membership(membership)


async def list_members(actor: User, course_id: str, after: int,
                       limit: int) -> tuple[list[Membership], bool]:
    """A page of a course's members by user id, after `after` (staff); and whether more
    follow."""
    await require_role(actor, course_id, Role.TA)
    members = await Membership.filter(course_id=course_id, user_id__gt=after).order_by(
        "user_id").limit(limit + 1).prefetch_related("user")
    return members[:limit], len(members) > limit


async def _keep_one_instructor(course_id: str, leaving_user_id: int) -> None:
    others = await Membership.filter(course_id=course_id, role=Role.INSTRUCTOR).exclude(
        user_id=leaving_user_id).count()
    if others == 0:
        raise Conflict(_("A course needs at least one instructor; add another one first."))
