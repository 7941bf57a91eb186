"""What a valid launch does: the platform user becomes (or is found as) a Coursewire
account, is enrolled with their LTI role, and the resource link is bound to its target."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.errors import NotFound
from courses.service import get_course, grant_role
from grading.api import published_block
from lti.claims import Target, line_item_of
from lti.course_access import may_launch_into
from lti.launch import Launch, LaunchRefused
from models.lti import LtiAccount, LtiResourceLink
from models.users import User

# Accounts made by a launch sign in only through their platform: no password verifies.
NO_PASSWORD = "!lti"


def _display_name(claims: dict[str, object]) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return (name or "Platform user").strip()[:200]


def _placeholder_email(issuer: str, subject: str) -> str:
    """A unique address that is nobody's mailbox: accounts are linked by (issuer, sub),
    never by the platform's email, so a platform cannot claim someone else's account."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]
    host = (urlsplit(issuer).hostname or "platform").lower()[:100]
    return f"lti-{digest}@{host}.lti.invalid"


async def platform_user(issuer: str, claims: dict[str, object]) -> User:
    """The account linked to the platform user `sub` of `issuer`, made on first launch."""
    subject = str(claims["sub"])
    account = await LtiAccount.get_or_none(issuer=issuer, subject=subject).prefetch_related(
        "user")
    if account is not None:
        return account.user
    try:
        async with in_transaction():
            user = await User.create(email=_placeholder_email(issuer, subject),
                                     name=_display_name(claims), password_hash=NO_PASSWORD)
            await LtiAccount.create(issuer=issuer, subject=subject, user=user)
        return user
    except IntegrityError:  # a concurrent first launch of the same user made it
        account = await LtiAccount.get(issuer=issuer, subject=subject).prefetch_related("user")
        return account.user


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
    return user, target


async def _require_access(launch: Launch, course_id: str) -> None:
    if not await may_launch_into(launch.registration, course_id):
        raise LaunchRefused("This course does not take launches from this platform yet: one "
                            "of its Coursewire instructors connects it on the course's LTI "
                            "page.", status=403)
