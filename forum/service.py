"""Forum actions: every state change writes the database, then publishes its events.

Routes (HTML and JSON) call these; they take ids and users and return model objects.
Moderation actions live in forum.moderation; who-sees-whom in forum.anonymity.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app.courses.service import require_role
from app.errors import BadInput, Conflict, InvalidState, NotFound, PermissionDenied, RateLimited
from app.markdown import render_markdown
from app.ratelimit import RateLimiter
from forum import events
from forum.access import get_post, get_thread, readable_post, viewer_in
from forum.anonymity import check_allowed, parse_anonymity
from models.courses import Role
from models.forum import (
    Anonymity,
    Ban,
    Flag,
    Follow,
    ForumSettings,
    ForumTopic,
    ModerationAction,
    ModerationMode,
    Post,
    PostRevision,
    PostStatus,
    Thread,
    ThreadKind,
    Vote,
)
from models.users import User

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_REASON = 1_000
MAX_TOPIC_KEY = 100
GENERAL = "general"
POSTS_PER_MINUTE = 10  # per user per course; threads and posts count alike
EDITS_PER_MINUTE = 20  # per user per course
FLAGS_PER_MINUTE = 10  # per user per course
DUPLICATE_WINDOW = timedelta(seconds=10)


def now() -> datetime:
    return datetime.now(UTC)


# ---- settings and topics -----------------------------------------------------------------

async def forum_settings(course_id: str) -> ForumSettings:
    settings = await ForumSettings.get_or_none(course_id=course_id)
    if settings is None:
        try:
            settings = await ForumSettings.create(course_id=course_id)
        except IntegrityError:
            settings = await ForumSettings.get(course_id=course_id)
    return settings


async def update_forum_settings(actor: User, course_id: str, max_anonymity: object = None,
                                moderation: object = None) -> ForumSettings:
    """Change the course's anonymity ceiling and moderation mode (instructors).

    Past posts keep the anonymity they were written with, whatever the new ceiling.
    """
    await require_role(actor, course_id, Role.INSTRUCTOR)
    settings = await forum_settings(course_id)
    if max_anonymity not in (None, ""):
        settings.max_anonymity = parse_anonymity(max_anonymity)
    if moderation not in (None, ""):
        try:
            settings.moderation = ModerationMode(moderation)
        except ValueError:
            raise BadInput("Moderation must be 'pre' or 'post'.",
                           fields={"moderation": "Choose pre or post."}) from None
    await settings.save()
    await ModerationAction.create(
        course_id=course_id, actor_id=actor.id, action="settings",
        reason=f"max_anonymity={settings.max_anonymity.value} "
               f"moderation={settings.moderation.value}")
    return settings


async def ensure_topic(course_id: str, key: object, title: object = None) -> ForumTopic:
    """The course's topic `key`, made on first use (a `discussion` block's topic_id)."""
    if not isinstance(key, str) or not key.strip():
        key = GENERAL
    key = key.strip()
    if len(key) > MAX_TOPIC_KEY:
        raise BadInput(f"Topic ids are at most {MAX_TOPIC_KEY} characters.",
                       fields={"topic_id": "Too long."})
    topic = await ForumTopic.get_or_none(course_id=course_id, key=key)
    if topic is not None:
        return topic
    name = title.strip()[:MAX_TITLE] if isinstance(title, str) and title.strip() else (
        "General" if key == GENERAL else key)
    try:
        return await ForumTopic.create(course_id=course_id, key=key, title=name)
    except IntegrityError:
        return await ForumTopic.get(course_id=course_id, key=key)


async def discussion_topic(user: User, course_id: str, block_id: str) -> ForumTopic:
    """The forum topic of a published `discussion` block, for the unit page it sits on."""
    from app.content.connect import current_store
    from content_store import PUBLISHED

    await viewer_in(user, course_id)
    try:
        block = await current_store().get_block(course_id, block_id, PUBLISHED)
    except NotFound:
        block = None
    if block is None or block.type != "discussion":
        raise NotFound(f"No discussion {block_id!r} in this course.")
    title = block.fields.get("title")
    topic = await ensure_topic(course_id, block.fields.get("topic_id"), title)
    if topic.title == topic.key and isinstance(title, str) and title.strip():
        # Made by a thread filed under the id before any page showed the block: name it.
        topic.title = title.strip()[:MAX_TITLE]
        await ForumTopic.filter(id=topic.id, title=topic.key).update(title=topic.title)
    return topic


async def _published_discussion_topics(course_id: str) -> set[str]:
    """The topic ids of the `discussion` blocks in the course's published version."""
    from app.content.connect import current_store
    from content_store import PUBLISHED

    store = current_store()
    try:
        structure = await store.get_branch(course_id, PUBLISHED)
    except NotFound:  # not published (or no content at all): no discussion topics yet
        return set()
    ids = [key.id for key in structure.blocks if key.type == "discussion"]
    if not ids:
        return set()
    blocks = await store.get_blocks(course_id, ids, PUBLISHED)
    return {b.fields["topic_id"] for b in blocks if isinstance(b.fields.get("topic_id"), str)}


async def _topic_for_new_thread(course_id: str, key: object, staff: bool) -> ForumTopic:
    """The topic a new thread is filed under. Staff may open a new topic by naming it;
    students only file under `general`, a topic staff opened, or a published
    `discussion` block's topic (made on first use)."""
    if staff or key in (None, "") or (isinstance(key, str) and key.strip() in ("", GENERAL)):
        return await ensure_topic(course_id, key)
    if not isinstance(key, str):
        raise BadInput("A topic id is text.", fields={"topic_id": "Choose a topic."})
    existing = await ForumTopic.get_or_none(course_id=course_id, key=key.strip())
    if existing is not None:
        return existing
    if key.strip() in await _published_discussion_topics(course_id):
        return await ensure_topic(course_id, key)
    raise BadInput(f"There is no topic {key.strip()[:MAX_TOPIC_KEY]!r} in this course's forum.",
                   fields={"topic_id": "Choose one of the course's topics."})


async def topics_of(user: User, course_id: str) -> list[ForumTopic]:
    await viewer_in(user, course_id)
    await ensure_topic(course_id, GENERAL)
    return await ForumTopic.filter(course_id=course_id).order_by("id")


# ---- writing -------------------------------------------------------------------------------

def _check_body(body: object, field: str = "body") -> str:
    if not isinstance(body, str) or not body.strip():
        raise BadInput("Write something first.", fields={field: "Required."})
    if len(body) > MAX_BODY:
        raise BadInput(f"Posts are limited to {MAX_BODY:,} characters.",
                       fields={field: f"Use at most {MAX_BODY:,} characters."})
    return body


def _check_key(key: object) -> str | None:
    if key in (None, ""):
        return None
    if not isinstance(key, str) or len(key) > 64:
        raise BadInput("An idempotency key is a string of at most 64 characters.")
    return key


async def _active_ban(course_id: str, user: User) -> Ban | None:
    return await Ban.filter(course_id=course_id, user_id=user.id, until__gt=now()).order_by(
        "-until").first()


async def _may_post(author: User, course_id: str) -> Role:
    role = await require_role(author, course_id, Role.STUDENT)
    ban = await _active_ban(course_id, author)
    if ban is not None:
        raise PermissionDenied(
            f"You can't post in this course's forum until "
            f"{ban.until.strftime('%Y-%m-%d %H:%M UTC')}: {ban.reason}")
    return role


_RATE_WORDS = {"post": ("posting", "posts"), "edit": ("editing", "edits"),
               "flag": ("reporting", "reports")}


async def _rate_limit(limiter: RateLimiter | None, author: User, course_id: str,
                      per_minute: int, what: str = "post") -> None:
    """Count one `what` (post, edit, flag) by `author` in the course; each has its own
    budget, so reporting a post never stops someone replying."""
    if limiter is None:
        return
    digest = hashlib.sha256(course_id.encode()).hexdigest()[:16]
    bucket = "forum" if what == "post" else f"forum-{what}"
    if await limiter.hit(f"{bucket}:{digest}:{author.id}", 60) > per_minute:
        doing, things = _RATE_WORDS[what]
        raise RateLimited(f"You're {doing} too fast: at most {per_minute} {things} a minute. "
                          "Wait a minute and try again.", retry_after=60)


async def _replayed(author: User, key: str | None, *, thread_id: int | None = None,
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
        raise Conflict("This idempotency key was already used for a different post; "
                       "send a new key for a new post.")
    return post


async def _recent_duplicate(author: User, body: str, *, parent_id: int | None = None,
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


async def create_thread(author: User, course_id: str, title: object, body: object,
                        anonymity: object = None, *, kind: object = None,
                        topic_id: object = None, idempotency_key: object = None,
                        limiter: RateLimiter | None = None,
                        per_minute: int = POSTS_PER_MINUTE) -> Thread:
    """Start a thread; its body is its opening post. Held for approval under pre-moderation."""
    role = await _may_post(author, course_id)
    errors: dict[str, str] = {}
    if not isinstance(title, str) or not title.strip():
        errors["title"] = "Enter a title."
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = f"Use at most {MAX_TITLE} characters."
    try:
        _check_body(body)
    except BadInput as exc:
        errors.update(exc.fields)
    if errors:
        raise BadInput("Please correct the highlighted fields.", fields=errors)
    assert isinstance(title, str) and isinstance(body, str)
    try:
        thread_kind = ThreadKind(kind or ThreadKind.DISCUSSION)
    except ValueError:
        raise BadInput("A thread is a question or a discussion.",
                       fields={"type": "Choose question or discussion."}) from None
    settings = await forum_settings(course_id)
    level = check_allowed(parse_anonymity(anonymity), settings.max_anonymity)
    key = _check_key(idempotency_key)
    existing = await _replayed(author, key, course_id=course_id) or await _recent_duplicate(
        author, body, course_id=course_id, title=title.strip())
    if existing is not None:
        return await Thread.get(id=existing.thread_id).prefetch_related("topic")
    topic = await _topic_for_new_thread(course_id, topic_id, role != Role.STUDENT)
    await _rate_limit(limiter, author, course_id, per_minute)
    held = settings.moderation == ModerationMode.PRE and role == Role.STUDENT
    moment = now()
    try:
        async with in_transaction():
            thread = await Thread.create(course_id=course_id, topic=topic, title=title.strip(),
                                         kind=thread_kind, last_activity_at=moment)
            await Post.create(
                thread=thread, parent=None, depth=0, author=author, anonymity=level,
                body_md=body, body_html=render_markdown(body),
                status=PostStatus.PENDING if held else PostStatus.PUBLISHED,
                published_at=None if held else moment, idempotency_key=key)
            await Follow.create(thread=thread, user=author)
    except IntegrityError:  # the same key raced in from a double click: that thread wins
        if key is None:
            raise
        first = await Post.get(author_id=author.id, idempotency_key=key)
        return await Thread.get(id=first.thread_id).prefetch_related("topic")
    await events.thread_created(thread.id)
    return await Thread.get(id=thread.id).prefetch_related("topic")


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
    role = await _may_post(author, thread.course_id)
    staff = role in (Role.TA, Role.INSTRUCTOR)
    text = _check_body(body)
    settings = await forum_settings(thread.course_id)
    level = check_allowed(parse_anonymity(anonymity), settings.max_anonymity)
    key = _check_key(idempotency_key)
    existing = await _replayed(author, key, thread_id=thread.id)
    if existing is not None:
        return await Post.get(id=existing.id).prefetch_related("author", "thread")
    root = await Post.get(thread_id=thread.id, depth=0)
    if root.status != PostStatus.PUBLISHED and not staff:
        raise NotFound(f"No thread {thread.id}.")
    if (thread.locked or thread.closed) and not staff:
        raise InvalidState("This thread is " + ("locked" if thread.locked else "closed")
                           + "; new posts are turned off.")
    parent, depth = root, 1
    if parent_id not in (None, "", root.id, str(root.id)):
        parent = await get_post(parent_id)
        if parent.thread_id != thread.id:
            raise BadInput("That post is in another thread.", fields={"parent_id": "Wrong."})
        if parent.depth == 2:
            parent = await Post.get(id=parent.parent_id)
        if parent.status != PostStatus.PUBLISHED:
            raise InvalidState("You can only comment on published posts.")
        depth = 2 if parent.depth == 1 else 1
    existing = await _recent_duplicate(author, text, thread_id=thread.id, parent_id=parent.id)
    if existing is not None:
        return await Post.get(id=existing.id).prefetch_related("author", "thread")
    await _rate_limit(limiter, author, thread.course_id, per_minute)
    held = settings.moderation == ModerationMode.PRE and not staff
    moment = now()
    try:
        post = await Post.create(
            thread=thread, parent=parent, depth=depth, author=author, anonymity=level,
            body_md=text, body_html=render_markdown(text),
            status=PostStatus.PENDING if held else PostStatus.PUBLISHED,
            published_at=None if held else moment, idempotency_key=key)
    except IntegrityError:  # the same key raced in from a double click
        return await Post.get(author_id=author.id, idempotency_key=key).prefetch_related(
            "author", "thread")
    if not held:
        await Thread.filter(id=thread.id).update(last_activity_at=moment)
    await events.post_changed(post.id, "created")
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
        raise PermissionDenied("Only the author can edit a post.")
    thread = post.thread
    if thread.locked and not viewer.staff:
        raise InvalidState("This thread is locked.")
    if post.status not in (PostStatus.PUBLISHED, PostStatus.PENDING):
        raise InvalidState("This post can't be edited any more.")
    text = _check_body(body)
    if text == (post.pending_body_md or post.body_md):
        return post
    await _rate_limit(limiter, user, thread.course_id, per_minute, "edit")
    settings = await forum_settings(thread.course_id)
    if (settings.moderation == ModerationMode.PRE and not viewer.staff
            and post.status == PostStatus.PUBLISHED):
        back = text == post.body_md  # back to the approved text: nothing left to approve
        await Post.filter(id=post.id).update(
            pending_body_md=None if back else text,
            pending_body_html=None if back else render_markdown(text),
            pending_edit_at=None if back else now())
        await events.post_changed(post.id, "updated")
        await events.queue_changed(post.id, "queued")
        return await Post.get(id=post.id).prefetch_related("author", "thread")
    async with in_transaction():
        await PostRevision.create(post_id=post.id, body_md=post.body_md,
                                  body_html=post.body_html)
        await Post.filter(id=post.id).update(body_md=text, body_html=render_markdown(text),
                                             edited_at=now(), pending_body_md=None,
                                             pending_body_html=None, pending_edit_at=None)
    await events.post_changed(post.id, "updated")
    return await Post.get(id=post.id).prefetch_related("author", "thread")


async def post_history(user: User, post_id: object) -> list[PostRevision]:
    """Earlier versions of a post, oldest first (no editor is recorded: only authors edit)."""
    post, _ = await readable_post(user, post_id)
    return await PostRevision.filter(post_id=post.id).order_by("id")


async def vote(user: User, post_id: object, up: bool | None = None) -> Post:
    """Upvote (True), withdraw (False) or toggle (None) the user's vote on a post."""
    post, _viewer = await readable_post(user, post_id)
    if post.status != PostStatus.PUBLISHED:
        raise InvalidState("Only published posts can be voted on.")
    if post.thread.locked:
        raise InvalidState("This thread is locked.")
    existing = await Vote.get_or_none(post_id=post.id, user_id=user.id)
    want = (existing is None) if up is None else up
    changed = False
    if want and existing is None:
        try:
            await Vote.create(post_id=post.id, user_id=user.id)
            changed = True
        except IntegrityError:
            pass
    elif not want and existing is not None:
        changed = await Vote.filter(id=existing.id).delete() > 0
    if changed:
        await Post.filter(id=post.id).update(score=F("score") + (1 if want else -1))
        await events.vote_changed(post.id, user.id)
    return await Post.get(id=post.id).prefetch_related("author", "thread")


async def has_voted(user: User, post_ids: list[int]) -> set[int]:
    """Which of these posts the user has upvoted (their vote buttons show it)."""
    return set(await Vote.filter(user_id=user.id, post_id__in=post_ids).values_list(
        "post_id", flat=True))


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


async def flag_post(user: User, post_id: object, reason: object, *,
                    limiter: RateLimiter | None = None,
                    per_minute: int = FLAGS_PER_MINUTE) -> Flag:
    """Report a post to the course staff; it enters the live moderation queue."""
    post, _ = await readable_post(user, post_id)
    if not isinstance(reason, str) or not reason.strip():
        raise BadInput("Say what is wrong with the post.", fields={"reason": "Required."})
    if len(reason) > MAX_REASON:
        raise BadInput(f"Use at most {MAX_REASON} characters.", fields={"reason": "Too long."})
    flag = await Flag.get_or_none(post_id=post.id, reporter_id=user.id)
    if flag is not None:
        raise InvalidState("You have already reported this post; staff will look at it.")
    await _rate_limit(limiter, user, post.thread.course_id, per_minute, "flag")
    try:
        flag = await Flag.create(post_id=post.id, reporter_id=user.id, reason=reason.strip())
    except IntegrityError:
        raise InvalidState("You have already reported this post.") from None
    await events.queue_changed(post.id, "queued")
    return flag


async def my_anonymity_choices(course_id: str) -> tuple[Anonymity, ...]:
    from forum.anonymity import allowed_levels

    return tuple(allowed_levels((await forum_settings(course_id)).max_anonymity))
