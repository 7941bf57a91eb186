"""The rules every new post or edit passes: text limits, bans, rate limits, and repeats
(an idempotency key or a double click) that return the post already made."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import StrEnum

from core.clock import now
from core.errors import BadInput, Conflict, PermissionDenied, RateLimited
from core.human_time import human_time
from core.i18n import gettext as _
from core.ratelimit import RateLimiter
from courses.service import require_role
from models.courses import Role
from models.forum import (
    Ban,
    Post,
    PostStatus,
)
from models.users import User

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_REASON = 1_000


POSTS_PER_MINUTE = 10  # per user per course; threads and posts count alike
EDITS_PER_MINUTE = 20  # per user per course
FLAGS_PER_MINUTE = 10  # per user per course
DUPLICATE_WINDOW = timedelta(seconds=10)


def check_body(body: object, field: str = "body") -> str:
    if not isinstance(body, str) or not body.strip():
        raise BadInput(_("Write something first."), fields={field: _("Required.")})
    if len(body) > MAX_BODY:
        limit = format(MAX_BODY, ",")
        raise BadInput(_("Posts are limited to %(max)s characters.", max=limit),
                       fields={field: _("Use at most %(max)s characters.", max=limit)})
    return body


def check_key(key: object) -> str | None:
    if key in (None, ""):
        return None
    if not isinstance(key, str) or len(key) > 64:
        raise BadInput(_("An idempotency key is a string of at most 64 characters."))
    return key


async def _active_ban(course_id: str, user: User) -> Ban | None:
    return await Ban.filter(course_id=course_id, user_id=user.id, until__gt=now()).order_by(
        "-until").first()


async def may_post(author: User, course_id: str) -> Role:
    role = await require_role(author, course_id, Role.STUDENT)
    ban = await _active_ban(course_id, author)
    if ban is not None:
        raise PermissionDenied(
            _("You can't post in this course's forum until %(until)s: %(reason)s",
              until=human_time(ban.until, author.timezone), reason=ban.reason))
    return role


class Budget(StrEnum):
    """What a member does that has its own per-minute budget."""

    POST = "post"
    EDIT = "edit"
    FLAG = "flag"


def _too_fast(what: Budget, per_minute: int) -> str:
    if what == Budget.EDIT:
        return _("You're editing too fast: at most %(num)d edits a minute. "
                 "Wait a minute and try again.", num=per_minute)
    if what == Budget.FLAG:
        return _("You're reporting too fast: at most %(num)d reports a minute. "
                 "Wait a minute and try again.", num=per_minute)
    return _("You're posting too fast: at most %(num)d posts a minute. "
             "Wait a minute and try again.", num=per_minute)


async def rate_limit(limiter: RateLimiter | None, author: User, course_id: str,
                      per_minute: int, what: Budget = Budget.POST) -> None:
    """Count one `what` (post, edit, flag) by `author` in the course; each has its own
    budget, so reporting a post never stops someone replying."""
    if limiter is None:
        return
    digest = hashlib.sha256(course_id.encode()).hexdigest()[:16]
    bucket = "forum" if what == Budget.POST else f"forum-{what}"
    if await limiter.hit(f"{bucket}:{digest}:{author.id}", 60) > per_minute:
        raise RateLimited(_too_fast(what, per_minute), retry_after=60)


async def replayed(author: User, key: str | None, *, thread_id: int | None = None,
                    course_id: str | None = None) -> Post | None:
    """The post an idempotency key already made, if this submission repeats it.

    Keys belong to their author; one reused for a different submission (another thread,
    course, or a reply where a thread was made) is a conflict, never that other post."""
    if key is None:
        return None
    post = await Post.get_or_none(author_id=author.id, idempotency_key=key).prefetch_related(
        "thread")
    if post is None:
        return None
    same = (post.thread_id == thread_id and post.depth > 0) if thread_id is not None else (
        post.thread.course_id == course_id and post.depth == 0)
    if not same:
        raise Conflict(_("This idempotency key was already used for a different post; "
                         "send a new key for a new post."))
    return post


async def recent_duplicate(author: User, body: str, *, parent_id: int | None = None,
                            thread_id: int | None = None, course_id: str | None = None,
                            title: str | None = None) -> Post | None:
    """The same submission made seconds ago (a double click without a key): the same
    author, body and place (the same reply or thread to answer; for a new thread, the
    same title in the same course)."""
    recent = Post.filter(author_id=author.id, body_md=body,
                         created_at__gte=now() - DUPLICATE_WINDOW).exclude(
        status=PostStatus.DELETED)
    if thread_id is not None:
        recent = recent.filter(thread_id=thread_id, parent_id=parent_id, depth__gt=0)
    else:
        recent = recent.filter(thread__course_id=course_id, thread__title=title, depth=0)
    return await recent.first()
