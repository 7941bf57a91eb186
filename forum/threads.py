"""Starting a thread: its body is its opening post."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import BadInput
from core.i18n import gettext as _
from core.markdown import render_markdown
from core.ratelimit import RateLimiter
from forum import events
from forum.anonymity import check_allowed, parse_anonymity
from forum.posting import (
    MAX_TITLE,
    POSTS_PER_MINUTE,
    check_body,
    check_key,
    may_post,
    rate_limit,
    recent_duplicate,
    replayed,
)
from forum.settings import forum_settings
from forum.topics import topic_for_new_thread
from models.courses import Role
from models.forum import (
    Follow,
    ModerationMode,
    Post,
    PostStatus,
    Thread,
    ThreadKind,
)
from models.users import User


async def create_thread(author: User, course_id: str, title: object, body: object,
                        anonymity: object = None, *, kind: object = None,
                        topic_id: object = None, idempotency_key: object = None,
                        limiter: RateLimiter | None = None,
                        per_minute: int = POSTS_PER_MINUTE) -> Thread:
    """Start a thread; its body is its opening post. Held for approval under pre-moderation."""
    role = await may_post(author, course_id)
    errors: dict[str, str] = {}
    if not isinstance(title, str) or not title.strip():
        errors["title"] = _("Enter a title.")
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = _("Use at most %(max)d characters.", max=MAX_TITLE)
    try:
        check_body(body)
    except BadInput as exc:
        errors.update(exc.fields)
    if errors:
        raise BadInput(_("Please correct the highlighted fields."), fields=errors)
    assert isinstance(title, str) and isinstance(body, str)
    try:
        thread_kind = ThreadKind(kind or ThreadKind.DISCUSSION)
    except ValueError:
        raise BadInput(_("A thread is a question or a discussion."),
                       fields={"type": _("Choose question or discussion.")}) from None
    settings = await forum_settings(course_id)
    level = check_allowed(parse_anonymity(anonymity), settings.max_anonymity)
    key = check_key(idempotency_key)
    existing = await replayed(author, key, course_id=course_id) or await recent_duplicate(
        author, body, course_id=course_id, title=title.strip())
    if existing is not None:
        return await Thread.get(id=existing.thread_id).prefetch_related("topic")
    topic = await topic_for_new_thread(course_id, topic_id, role != Role.STUDENT)
    await rate_limit(limiter, author, course_id, per_minute)
    held = settings.moderation == ModerationMode.PRE and role == Role.STUDENT
    moment = now()
    try:
        async with in_transaction():
            thread = await Thread.create(course_id=course_id, topic=topic, title=title.strip(),
                                         kind=thread_kind, last_activity_at=moment)
            await Post.create(
                thread=thread, parent=None, depth=0, author=author, anonymity=level,
                body_md=body, body_html=render_markdown(body, remote_images=False),
                status=PostStatus.PENDING if held else PostStatus.PUBLISHED,
                published_at=None if held else moment, idempotency_key=key)
            await Follow.create(thread=thread, user=author)
            await events.thread_created(thread.id)  # the outbox: commits with the thread
    except IntegrityError:  # the same key raced in from a double click: that thread wins
        if key is None:
            raise
        first = await Post.get(author_id=author.id, idempotency_key=key)
        return await Thread.get(id=first.thread_id).prefetch_related("topic")
    return await Thread.get(id=thread.id).prefetch_related("topic")
