"""Reporting a post to the course staff."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.errors import BadInput, InvalidState
from core.i18n import gettext as _
from core.ratelimit import RateLimiter
from forum import events
from forum.access import readable_post
from forum.changes import QueueChange
from forum.posting import FLAGS_PER_MINUTE, MAX_REASON, Budget, rate_limit
from models.forum import (
    Flag,
)
from models.users import User


async def flag_post(user: User, post_id: object, reason: object, *,
                    limiter: RateLimiter | None = None,
                    per_minute: int = FLAGS_PER_MINUTE) -> Flag:
    """Report a post to the course staff; it enters the live moderation queue."""
    post, _staff = await readable_post(user, post_id)
    if not isinstance(reason, str) or not reason.strip():
        raise BadInput(_("Say what is wrong with the post."), fields={"reason": _("Required.")})
    if len(reason) > MAX_REASON:
        raise BadInput(_("Use at most %(max)d characters.", max=MAX_REASON),
                       fields={"reason": _("Too long.")})
    flag = await Flag.get_or_none(post_id=post.id, reporter_id=user.id)
    if flag is not None:
        raise InvalidState(_("You have already reported this post; staff will look at it."))
    await rate_limit(limiter, user, post.thread.course_id, per_minute, Budget.FLAG)
    try:
        async with in_transaction():  # the report and its event commit together
            flag = await Flag.create(post_id=post.id, reporter_id=user.id,
                                     reason=reason.strip())
            await events.queue_changed(post.id, QueueChange.QUEUED)
    except IntegrityError:
        raise InvalidState(_("You have already reported this post.")) from None
    return flag
