"""Invite links: an instructor makes one with a role, anyone signed in accepts it.

A code is 32 URL-safe characters from `secrets` (192 bits): not guessable, so holding the
link is the permission. An invite ends when used `max_uses` times, at `expires_at`, or when
revoked; accepting an ended one is `Gone` (410) with the reason.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import BadInput, CoursewireError, NotFound
from core.human_time import parse_local_time
from core.i18n import gettext as _
from core.ids import parse_id
from courses.invite_queries import usable_invites
from courses.membership import write_membership
from courses.service import get_course, parse_role, require_role, role_rank
from models.courses import Membership, Role
from models.enrolment import Invite
from models.users import User

MAX_USES = 100_000
MAX_CODE = 64  # the column; a longer code names no invite


class Gone(CoursewireError):
    status, code = 410, "gone"


def parse_max_uses(value: object) -> int | None:
    if value is None or value == "":
        return None
    number = parse_id(value)
    if number is None or number > MAX_USES:
        raise BadInput(_("Uses must be a whole number from 1 to 100000, or empty for unlimited."),
                       fields={"max_uses": _("A number from 1 to %(max)d, or empty.",
                                                 max=MAX_USES)})
    return number


def parse_expiry(value: object, zone_name: str | None = None) -> datetime | None:
    """A time in the future: ISO 8601 with its offset, or without one on the clock of
    `zone_name` (the instructor's, from the page's form; UTC when None, as the API says)."""
    if value is None or value == "":
        return None
    message = _("Give the expiry as a date and time in the future (ISO 8601), or leave it empty.")
    if not isinstance(value, str):
        raise BadInput(message, fields={"expires_at": message})
    try:
        when = parse_local_time(value, zone_name)
    except ValueError as exc:
        raise BadInput(f"{message} {exc}", fields={"expires_at": str(exc)}) from None
    if when <= now():
        raise BadInput(message, fields={"expires_at": _("This time has already passed.")})
    return when


async def create_invite(actor: User, course_id: str, role: object, max_uses: object = None,
                        expires_at: object = None, *, zone_name: str | None = None) -> Invite:
    """A new invite link into the course (instructors); a time without an offset is on
    `zone_name`'s clock."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    return await Invite.create(code=secrets.token_urlsafe(24), course_id=course_id,
                               role=parse_role(role), max_uses=parse_max_uses(max_uses),
                               expires_at=parse_expiry(expires_at, zone_name),
                               created_by_id=actor.id)


async def open_invites(actor: User, course_id: str) -> list[Invite]:
    """The invites still usable, newest first (instructors)."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    return await usable_invites(course_id)


async def revoke_invite(actor: User, course_id: str, invite_id: object) -> None:
    await require_role(actor, course_id, Role.INSTRUCTOR)
    number = parse_id(invite_id)
    revoked = number and await Invite.filter(id=number, course_id=course_id).update(revoked=True)
    if not revoked:
        raise NotFound(_("No such invite in this course."))


async def find_invite(code: str) -> Invite:
    """The invite `code` names (NotFound otherwise), whether or not it can still be used."""
    invite = None if len(code) > MAX_CODE else await Invite.get_or_none(code=code)
    if invite is None:
        raise NotFound(_("This invite link is not valid. Check it, or ask for a new one."))
    await invite.fetch_related("course")
    return invite


def why_ended(invite: Invite) -> str | None:
    """Why the invite can no longer be used, or None."""
    if invite.revoked:
        return _("This invite link was withdrawn. Ask the course staff for a new one.")
    if invite.expires_at is not None and invite.expires_at <= now():
        return _("This invite link has expired. Ask the course staff for a new one.")
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return _("This invite link has been used up. Ask the course staff for a new one.")
    return None


async def accept_invite(user: User, code: str) -> Membership:
    """Join the invite's course with its role (a member with a higher role keeps theirs)."""
    invite = await find_invite(code)
    await get_course(invite.course_id)
    current = await Membership.get_or_none(user_id=user.id, course_id=invite.course_id)
    if current is not None and role_rank(current.role) >= role_rank(invite.role):
        return current  # nothing to do: no use of the invite is spent
    if reason := why_ended(invite):
        raise Gone(reason)
    async with in_transaction():
        # The use is counted with a conditional update, so two people racing for the last
        # use cannot both get in.
        spent = await Invite.filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")),
                                    id=invite.id, revoked=False).update(uses=F("uses") + 1)
        if not spent:
            raise Gone(_("This invite link has been used up. Ask the course staff for a new one."))
        return await write_membership(invite.course_id, user.id, invite.role)
