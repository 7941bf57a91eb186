"""Following a thread (its followers are told of new posts)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

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
