"""Reading a course's invites: the ones still usable, as the members page lists them."""

from __future__ import annotations

from tortoise.expressions import Q

from core.clock import now
from models.enrolment import Invite


async def usable_invites(course_id: str) -> list[Invite]:
    """Invites not withdrawn, expired or used up, newest first."""
    unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=now())
    invites = await Invite.filter(unexpired, course_id=course_id, revoked=False).order_by("-id")
    return [i for i in invites if i.max_uses is None or i.uses < i.max_uses]
