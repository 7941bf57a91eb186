"""Which courses a platform may launch into: a course's instructors connect it to the
registered platforms they teach through. A site admin trusts a platform to say who its users
are; only a course's own instructor lets that platform's users into their course (else any
teacher on any registered platform could make themselves instructor of any course)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from core.errors import NotFound
from core.i18n import gettext as _
from courses.service import require_role
from models.courses import Role
from models.lti import LtiCourseAccess, LtiRegistration
from models.users import User


async def platforms_for_course(instructor: User,
                               course_id: str) -> list[tuple[LtiRegistration, bool]]:
    """Every registered platform, and whether it may launch into the course."""
    await require_role(instructor, course_id, Role.INSTRUCTOR)
    connected = set(await LtiCourseAccess.filter(course_id=course_id).values_list(
        "registration_id", flat=True))
    return [(r, r.id in connected)
            for r in await LtiRegistration.all().order_by("issuer", "client_id")]


async def set_course_access(instructor: User, course_id: str, registration_id: int,
                            allowed: bool) -> None:
    """Open the course to launches from the platform, or close it (its instructors)."""
    await require_role(instructor, course_id, Role.INSTRUCTOR)
    if not await LtiRegistration.exists(id=registration_id):
        raise NotFound(_("No LTI platform %(registration_id)s.", registration_id=registration_id))
    if not allowed:
        await LtiCourseAccess.filter(registration_id=registration_id,
                                     course_id=course_id).delete()
        return
    try:
        await LtiCourseAccess.get_or_create(registration_id=registration_id, course_id=course_id)
    except IntegrityError:
        pass  # connected at the same moment by another instructor


async def may_launch_into(registration: LtiRegistration, course_id: str) -> bool:
    return await LtiCourseAccess.exists(registration=registration, course_id=course_id)
