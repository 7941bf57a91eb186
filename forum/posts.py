"""Replies, comments and their edits."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import BadInput, InvalidState, NotFound, PermissionDenied
from core.i18n import gettext as _
from core.markdown import render_markdown
from core.ratelimit import RateLimiter
from courses.audience import STAFF as STAFF_AUDIENCE
from courses.audience import audience_of
from forum import events
from forum.access import get_post, get_thread, readable_post
from forum.anonymity import check_allowed, parse_anonymity
from forum.changes import PostChange, QueueChange
from forum.follows import follow_on_posting
from forum.posting import (
    EDITS_PER_MINUTE,
    POSTS_PER_MINUTE,
    Budget,
    check_body,
    check_key,
    may_post,
    rate_limit,
    recent_duplicate,
    replayed,
)
from forum.settings import forum_settings
from models.forum import (
    ModerationMode,
    Post,
    PostRevision,
    PostStatus,
    Thread,
)
from models.users import User


async def create_post(author: User, thread_id: object, body: object, anonymity: object = None,
                      *, parent_id: object = None, idempotency_key: object = None,
                      limiter: RateLimiter | None = None,
                      per_minute: int = POSTS_PER_MINUTE) -> Post:
    """Reply to a thread (no parent) or comment on a reply (parent = that reply).

    A comment on a comment joins its reply: one level of comments, as the issue asks.
    Repeating a submission (same idempotency key, or the same body within seconds)
    returns the post already made.
    """
    thread = await get_thread(thread_id)
    role = await may_post(author, thread.course_id)
    staff = audience_of(role) == STAFF_AUDIENCE
    text = check_body(body)
    settings = await forum_settings(thread.course_id)
    level = check_allowed(parse_anonymity(anonymity), settings.max_anonymity)
    key = check_key(idempotency_key)
    existing = await replayed(author, key, thread_id=thread.id)
    if existing is not None:
        return await Post.get(id=existing.id).prefetch_related("author", "thread")
    root = await Post.get(thread_id=thread.id, depth=0)
    if root.status != PostStatus.PUBLISHED and not staff:
        raise NotFound(_("No thread %(id)s.", id=thread.id))
    if (thread.locked or thread.closed) and not staff:
        raise InvalidState(_("This thread is locked; new posts are turned off.") if thread.locked
                           else _("This thread is closed; new posts are turned off."))
    parent, depth = root, 1
    if parent_id not in (None, "", root.id, str(root.id)):
        parent = await get_post(parent_id)
        if parent.thread_id != thread.id:
            raise BadInput(_("That post is in another thread."), fields={"parent_id": _("Wrong.")})
        if parent.depth == 2:
            parent = await Post.get(id=parent.parent_id)
        if parent.status != PostStatus.PUBLISHED:
            raise InvalidState(_("You can only comment on published posts."))
        depth = 2 if parent.depth == 1 else 1
    existing = await recent_duplicate(author, text, thread_id=thread.id, parent_id=parent.id)
    if existing is not None:
        return await Post.get(id=existing.id).prefetch_related("author", "thread")
    await rate_limit(limiter, author, thread.course_id, per_minute)
    held = settings.moderation == ModerationMode.PRE and not staff
    moment = now()
    try:
        async with in_transaction():  # the post and its events commit together
            post = await Post.create(
                thread=thread, parent=parent, depth=depth, author=author, anonymity=level,
                body_md=text, body_html=render_markdown(text, remote_images=False),
                status=PostStatus.PENDING if held else PostStatus.PUBLISHED,
                published_at=None if held else moment, idempotency_key=key)
            if not held:
                await Thread.filter(id=thread.id).update(last_activity_at=moment)
                await follow_on_posting(author.id, thread.id)
            await events.post_changed(post.id, PostChange.CREATED)
    except IntegrityError:  # the same key raced in from a double click
        return await Post.get(author_id=author.id, idempotency_key=key).prefetch_related(
            "author", "thread")
    return await Post.get(id=post.id).prefetch_related("author", "thread")


async def edit_post(user: User, post_id: object, body: object, *,
                    limiter: RateLimiter | None = None,
                    per_minute: int = EDITS_PER_MINUTE) -> Post:
    """The author changes their post's text; the old text goes into the edit history.

    Under pre-moderation a student's edit of a published post is held for approval like a
    new post: everyone keeps seeing the approved text until staff approve the edit.
    """
    post, viewer = await readable_post(user, post_id)
    if post.author_id != user.id:
        raise PermissionDenied(_("Only the author can edit a post."))
    thread = post.thread
    if thread.locked and not viewer.staff:
        raise InvalidState(_("This thread is locked."))
    if post.status not in (PostStatus.PUBLISHED, PostStatus.PENDING):
        raise InvalidState(_("This post can't be edited any more."))
    text = check_body(body)
    if text == (post.pending_body_md or post.body_md):
        return post
    await rate_limit(limiter, user, thread.course_id, per_minute, Budget.EDIT)
    settings = await forum_settings(thread.course_id)
    if (settings.moderation == ModerationMode.PRE and not viewer.staff
            and post.status == PostStatus.PUBLISHED):
        back = text == post.body_md  # back to the approved text: nothing left to approve
        async with in_transaction():
            await Post.filter(id=post.id).update(
                pending_body_md=None if back else text,
                pending_body_html=None if back else render_markdown(text,
                                                                    remote_images=False),
                pending_edit_at=None if back else now())
            await events.post_changed(post.id, PostChange.UPDATED)
            await events.queue_changed(post.id, QueueChange.QUEUED)
        return await Post.get(id=post.id).prefetch_related("author", "thread")
    async with in_transaction():
        await PostRevision.create(post_id=post.id, body_md=post.body_md,
                                  body_html=post.body_html)
        await Post.filter(id=post.id).update(body_md=text,
                                             body_html=render_markdown(text, remote_images=False),
                                             edited_at=now(), pending_body_md=None,
                                             pending_body_html=None, pending_edit_at=None)
        await events.post_changed(post.id, PostChange.UPDATED)
    return await Post.get(id=post.id).prefetch_related("author", "thread")


async def post_history(user: User, post_id: object) -> list[PostRevision]:
    """Earlier versions of a post, oldest first (no editor is recorded: only authors edit)."""
    post, _staff = await readable_post(user, post_id)
    return await PostRevision.filter(post_id=post.id).order_by("id")
