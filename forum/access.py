"""Who is asking, in forum terms: their audience in the thread's course."""

from __future__ import annotations

from core.errors import NotFound
from core.i18n import gettext as _
from core.ids import id_or_not_found
from courses.audience import STUDENT as STUDENT_AUDIENCE
from courses.audience import audience_of, course_audience
from courses.service import require_role
from forum.anonymity import Viewer
from models.courses import Role
from models.forum import Post, PostStatus, Thread
from models.users import User


async def viewer_in(user: User, course_id: str) -> Viewer:
    """The user's personal viewer for a course they belong to (NotFound otherwise)."""
    role = await require_role(user, course_id, Role.STUDENT)
    return Viewer(audience_of(role), user.id)


async def get_thread(thread_id: object) -> Thread:
    number = id_or_not_found(thread_id, _("No such item."))
    thread = await Thread.get_or_none(id=number).prefetch_related("topic")
    if thread is None:
        raise NotFound(_("No thread %(id)s.", id=thread_id))
    return thread


async def get_post(post_id: object) -> Post:
    number = id_or_not_found(post_id, _("No such item."))
    post = await Post.get_or_none(id=number).prefetch_related("author", "thread")
    if post is None or post.status == PostStatus.DELETED:
        raise NotFound(_("No post %(id)s.", id=post_id))
    return post


async def readable_post(user: User, post_id: object) -> tuple[Post, Viewer]:
    """A post the user may see, with their viewer; students never reach held/hidden posts
    of others (NotFound, so their existence isn't revealed either)."""
    post = await get_post(post_id)
    viewer = await viewer_in(user, post.thread.course_id)
    if not viewer.staff and post.status != PostStatus.PUBLISHED and post.author_id != user.id:
        raise NotFound(_("No post %(id)s.", id=post_id))
    return post, viewer


async def personal_audience(user_id: int, course_id: str) -> str:
    """The audience whose rendering a frame addressed to one user carries: anyone who is
    not staff (a removed member too) is shown the student rendering, never more."""
    return await course_audience(course_id, await User.get(id=user_id)) or STUDENT_AUDIENCE
