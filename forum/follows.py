"""Following a thread (its followers are told of new posts)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from forum.access import get_thread, viewer_in
from models.forum import (
    Follow,
)
from models.users import User


async def set_following(user: User, thread_id: object, following: bool) -> bool:
    thread = await get_thread(thread_id)
    await viewer_in(user, thread.course_id)
    if following:
        try:
            await Follow.get_or_create(thread_id=thread.id, user_id=user.id)
        except IntegrityError:
            pass
    else:
        await Follow.filter(thread_id=thread.id, user_id=user.id).delete()
    return following


async def is_following(user: User, thread_id: int) -> bool:
    return await Follow.exists(thread_id=thread_id, user_id=user.id)


async def follow_on_posting(user_id: int, thread_id: int) -> None:
    """Whoever posts in a thread follows it (as its author does from the start), so they
    hear of the replies; unfollowing stops that until they post there again."""
    if await Follow.exists(thread_id=thread_id, user_id=user_id):
        return
    try:
        async with in_transaction():  # a savepoint: a lost race leaves the caller's intact
            await Follow.create(thread_id=thread_id, user_id=user_id)
    except IntegrityError:
        pass  # a click on Follow made it meanwhile
