"""What a valid launch does: the platform user becomes (or is found as) a Coursewire
account (lti.platform_accounts), is enrolled with their LTI role, the resource link is bound
to its target, and the platform's roster is asked for (lti.roster)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from core.errors import NotFound
from courses.service import get_course, grant_role
from grading.api import published_block
from lti.claims import Target, line_item_of
from lti.course_access import may_launch_into
from lti.launch import Launch, LaunchRefused
from lti.platform_accounts import platform_user
from lti.roster import remember_context
from models.lti import LtiResourceLink
from models.users import User


async def bound_target(launch: Launch) -> Target:
    """Where the launch's resource link points: what it was bound to first (a launch or
    deep linking), else the target_link_uri of this launch, which binds it."""
    assert launch.target is not None
    line_item = line_item_of(launch.claims)
    defaults = {"course_id": launch.target.course_id, "block_id": launch.target.block_id,
                "title": launch.link_title, "line_item_url": line_item}
    keys = {"registration": launch.registration, "deployment_id": launch.deployment_id,
            "link_id": launch.link_id}
    link = await LtiResourceLink.get_or_none(**keys)
    if link is None:
        await get_course(launch.target.course_id)  # a link is never bound to no course
        await _require_access(launch, launch.target.course_id)
        try:
            link = await LtiResourceLink.create(**keys, **defaults)
        except IntegrityError:
            link = await LtiResourceLink.get(**keys)
    if line_item and link.line_item_url != line_item:  # the platform moved its line item
        link.line_item_url = line_item
        await link.save(update_fields=["line_item_url"])
    return Target(link.course_id, link.block_id)


async def landing_path(target: Target) -> str:
    """Where the browser goes for a link's target: a course or unit page, and for a quiz
    (a gradeable block) the unit it sits in."""
    if target.block_id is None:
        return target.path
    try:
        _, block = await published_block(target.course_id, target.block_id)
    except NotFound:  # a unit (not a gradeable block), or nothing published yet
        return Target(target.course_id, target.block_id).path
    unit = Target(target.course_id, block.unit_id) if block.unit_id else Target(target.course_id)
    return unit.path


async def complete_launch(launch: Launch) -> tuple[User, Target]:
    """Sign-in material for a valid launch: the linked (or new) account, enrolled in the
    link's course with the launch's role, and where to send the browser."""
    target = await bound_target(launch)
    await _require_access(launch, target.course_id)  # an instructor may close it again
    user = await platform_user(launch.registration.issuer, launch.claims)
    await grant_role(target.course_id, user.id, launch.role)
    await remember_context(launch, target.course_id, user)
    return user, target


async def _require_access(launch: Launch, course_id: str) -> None:
    if not await may_launch_into(launch.registration, course_id):
        raise LaunchRefused("This course does not take launches from this platform yet: one "
                            "of its Coursewire instructors connects it on the course's LTI "
                            "page.", status=403)
