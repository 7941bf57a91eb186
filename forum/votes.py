"""Upvotes on posts."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.errors import InvalidState
from core.i18n import gettext as _
from forum import events
from forum.access import readable_post
from models.forum import (
    Post,
    PostStatus,
    Vote,
)
from models.users import User


async def vote(user: User, post_id: object, up: bool | None = None) -> Post:
    """Upvote (True), withdraw (False) or toggle (None) the user's vote on a post."""
    post, _viewer = await readable_post(user, post_id)
    if post.status != PostStatus.PUBLISHED:
        raise InvalidState(_("Only published posts can be voted on."))
    if post.thread.locked:
        raise InvalidState(_("This thread is locked."))
    existing = await Vote.get_or_none(post_id=post.id, user_id=user.id)
    want = (existing is None) if up is None else up
    try:
        async with in_transaction():  # the vote, the score and their events commit together
            changed = False
            if want and existing is None:
                await Vote.create(post_id=post.id, user_id=user.id)
                changed = True
            elif not want and existing is not None:
                changed = await Vote.filter(id=existing.id).delete() > 0
            if changed:
                await Post.filter(id=post.id).update(score=F("score") + (1 if want else -1))
                await events.vote_changed(post.id, user.id)
    except IntegrityError:
        pass  # the same vote raced in from another request, which counted it
    return await Post.get(id=post.id).prefetch_related("author", "thread")


async def has_voted(user: User, post_ids: list[int]) -> set[int]:
    """Which of these posts the user has upvoted (their vote buttons show it)."""
    return set(await Vote.filter(user_id=user.id, post_id__in=post_ids).values_list(
        "post_id", flat=True))
