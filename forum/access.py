"""Who is asking, in forum terms: their audience in the thread's course."""

from __future__ import annotations

from app.courses.service import require_role
from app.errors import NotFound
from app.ids import parse_id
from forum.anonymity import Viewer
from models.courses import Role
from models.forum import Post, PostStatus, Thread
from models.users import User

STAFF = {Role.TA, Role.INSTRUCTOR}


async def viewer_in(user: User, course_id: str) -> Viewer:
    """The user's personal viewer for a course they belong to (NotFound otherwise)."""
    role = await require_role(user, course_id, Role.STUDENT)
    return Viewer("staff" if role in STAFF else "student", user.id)


async def get_thread(thread_id: object) -> Thread:
    thread = await Thread.get_or_none(id=_int(thread_id)).prefetch_related("topic")
    if thread is None:
        raise NotFound(f"No thread {thread_id}.")
    return thread


async def get_post(post_id: object) -> Post:
    post = await Post.get_or_none(id=_int(post_id)).prefetch_related("author", "thread")
    if post is None or post.status == PostStatus.DELETED:
        raise NotFound(f"No post {post_id}.")
    return post


async def readable_post(user: User, post_id: object) -> tuple[Post, Viewer]:
    """A post the user may see, with their viewer; students never reach held/hidden posts
    of others (NotFound, so their existence isn't revealed either)."""
    post = await get_post(post_id)
    viewer = await viewer_in(user, post.thread.course_id)
    if not viewer.staff and post.status != PostStatus.PUBLISHED and post.author_id != user.id:
        raise NotFound(f"No post {post_id}.")
    return post, viewer


def _int(value: object) -> int:
    number = parse_id(value)
    if number is None:
        raise NotFound("No such item.")
    return number
