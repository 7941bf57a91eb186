"""Reading the forum as one viewer sees it: thread lists, a thread's posts as a tree.

Pages, JSON, live fragments and resync all read through here, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.queryset import QuerySet

from core.errors import NotFound, PermissionDenied
from core.i18n import gettext as _
from courses.service import require_role
from forum.access import get_thread, viewer_in
from forum.anonymity import STAFF, Viewer, identity_visible
from forum.presenters import PostView, ThreadView, present_post, present_thread
from models.courses import Membership, Role
from models.forum import Flag, FlagStatus, ModerationAction, Post, PostStatus, Thread, Vote
from models.users import User

LIST_LIMIT = 50  # threads per live list (pages and fragments agree)
_FAR = datetime.max.replace(tzinfo=UTC)


def shown_to(post: Post, viewer: Viewer) -> bool:
    """Whether `post` occupies a place on `viewer`'s page (hidden ones as an empty slot)."""
    if post.status == PostStatus.DELETED:
        return False
    if post.status == PostStatus.REJECTED:  # its author sees it, with the reason
        return viewer.is_author(post.author_id)
    if post.status == PostStatus.PENDING:
        return viewer.staff or viewer.is_author(post.author_id)
    return True


def order_key(post: Post) -> tuple[datetime, int]:
    # Students first see a held post when it is approved: it goes last, live and on reload.
    return (post.published_at or post.created_at or _FAR, post.id)


@dataclass
class ThreadPage:
    thread: ThreadView
    replies: list[PostView]  # each with .comments


async def thread_posts(thread_id: int) -> list[Post]:
    return await Post.filter(thread_id=thread_id).prefetch_related("author").order_by("id")


def reply_count(posts: list[Post]) -> int:
    return sum(1 for p in posts if p.depth > 0 and p.status == PostStatus.PUBLISHED)


def build_page(thread: Thread, posts: list[Post], viewer: Viewer) -> ThreadPage:
    root = next(p for p in posts if p.depth == 0)
    head = present_thread(thread, root, viewer, reply_count(posts))
    replies: dict[int, PostView] = {}
    ordered = sorted((p for p in posts if p.depth > 0), key=order_key)
    for post in ordered:
        if post.depth == 1 and shown_to(post, viewer):
            replies[post.id] = present_post(post, viewer)
    for post in ordered:
        parent = replies.get(post.parent_id or 0)
        if post.depth == 2 and parent is not None and not parent.placeholder \
                and shown_to(post, viewer):
            parent.comments.append(present_post(post, viewer))
    return ThreadPage(head, list(replies.values()))


def reply_view(posts: list[Post], reply_id: int, viewer: Viewer) -> PostView | None:
    """One reply with its comments, as `viewer` sees it (None if not on their page)."""
    reply = next((p for p in posts if p.id == reply_id), None)
    if reply is None or not shown_to(reply, viewer):
        return None
    view = present_post(reply, viewer)
    if not view.placeholder:
        view.comments = [present_post(p, viewer) for p in sorted(posts, key=order_key)
                         if p.parent_id == reply_id and p.depth == 2 and shown_to(p, viewer)]
    return view


def thread_listed_for(root: Post, viewer: Viewer) -> bool:
    if root.status == PostStatus.PUBLISHED:
        return True
    return viewer.staff and root.status in (PostStatus.PENDING, PostStatus.HIDDEN)


def thread_query(course_id: str, viewer: Viewer, *, topic_key: str | None,
                 mine: bool) -> QuerySet[Thread]:
    """The course's threads in a topic (or all), or only those the viewer posted in."""
    query = Thread.filter(course_id=course_id).prefetch_related("topic")
    if topic_key:
        query = query.filter(topic__key=topic_key)
    if mine:
        assert viewer.user_id is not None
        query = query.filter(posts__author_id=viewer.user_id,
                             posts__status__not=PostStatus.DELETED).distinct()
    return query


async def list_threads(course_id: str, viewer: Viewer, *, topic_key: str | None = None,
                       mine: bool = False, limit: int = LIST_LIMIT) -> list[ThreadView]:
    """Threads newest activity first (pinned ones first), as `viewer` sees them.

    `mine` only ever filters by the viewer's own posts, never by anyone else's.
    """
    query = thread_query(course_id, viewer, topic_key=topic_key, mine=mine)
    threads = await query.order_by("-pinned", "-last_activity_at", "-id").limit(limit * 3)
    return (await present_listed(threads, viewer, mine=mine))[:limit]


async def listed_threads(thread_ids: list[int], viewer: Viewer) -> list[ThreadView]:
    """These threads' list rows as `viewer` sees them, leaving out any not listed for them."""
    threads = await Thread.filter(id__in=thread_ids).prefetch_related("topic").order_by(
        "-pinned", "-last_activity_at", "-id")
    return await present_listed(threads, viewer, mine=False)


async def present_listed(threads: list[Thread], viewer: Viewer, *,
                          mine: bool) -> list[ThreadView]:
    if not threads:
        return []
    ids = [t.id for t in threads]
    roots = {p.thread_id: p for p in await Post.filter(thread_id__in=ids, depth=0)
             .prefetch_related("author")}
    counts: dict[int, int] = {}
    for thread_id in await Post.filter(thread_id__in=ids, depth__gt=0,
                                       status=PostStatus.PUBLISHED).values_list("thread_id",
                                                                                flat=True):
        counts[thread_id] = counts.get(thread_id, 0) + 1
    views = []
    for thread in threads:
        root = roots.get(thread.id)
        if root is None:
            continue
        own = viewer.is_author(root.author_id) and mine
        if thread_listed_for(root, viewer) or own:
            views.append(present_thread(thread, root, viewer, counts.get(thread.id, 0)))
    return views


async def thread_summary(thread: Thread, viewer: Viewer) -> ThreadView:
    posts = await thread_posts(thread.id)
    root = next(p for p in posts if p.depth == 0)
    return present_thread(thread, root, viewer, reply_count(posts))


@dataclass
class QueueItem:
    post: PostView
    thread_id: int
    thread_title: str
    flags: list[Flag]
    claimed_by: str | None
    claimed_by_id: int | None
    queued_at: datetime
    # The author's group (courses.groups), for the queue's group filter; not known (None,
    # `group_hidden`) when the author is anonymous to staff: such items show in every view.
    author_group: str | None = None
    group_hidden: bool = False

    def in_groups(self, names: tuple[str, ...] | None) -> bool:
        """Whether the item shows under a group filter (None: every group)."""
        return names is None or self.group_hidden or self.author_group in names

    @property
    def pending(self) -> bool:
        return self.post.status == PostStatus.PENDING.value

    @property
    def edit_pending(self) -> bool:
        """A held edit of a published post (pre-moderation) waits for a decision."""
        return self.post.pending_edit_html is not None and not self.pending


async def queue_item(post: Post, viewer: Viewer) -> QueueItem | None:
    """The moderation-queue entry for `post`, or None when nothing is waiting on it.
    `post.author` and `post.thread` must be fetched."""
    flags = await Flag.filter(post_id=post.id, status=FlagStatus.OPEN).prefetch_related(
        "reporter").order_by("id")
    live = post.status in (PostStatus.PUBLISHED, PostStatus.HIDDEN, PostStatus.PENDING)
    edit = post.status == PostStatus.PUBLISHED and post.pending_body_md is not None
    if not live or (post.status != PostStatus.PENDING and not flags and not edit):
        return None
    claimer = await User.get_or_none(id=post.claimed_by_id) if post.claimed_by_id else None
    times = [post.created_at] + [f.created_at for f in flags] + (
        [post.pending_edit_at] if edit and post.pending_edit_at else [])
    hidden = not identity_visible(post.anonymity, STAFF)
    group = None if hidden else await Membership.filter(
        course_id=post.thread.course_id, user_id=post.author_id).values_list("group", flat=True)
    return QueueItem(present_post(post, viewer), post.thread_id, post.thread.title, flags,
                     claimer.name if claimer else None, post.claimed_by_id, max(times),
                     author_group=group[0] if group else None, group_hidden=hidden)


async def staff_moderation_queue(user: User, course_id: str) -> list[QueueItem]:
    """The course's moderation queue, for its TAs and instructors only."""
    viewer = await viewer_in(user, course_id)
    if not viewer.staff:
        raise PermissionDenied(_("The moderation queue is for TAs and instructors."))
    return await moderation_queue(course_id, STAFF)


async def moderation_queue(course_id: str, viewer: Viewer) -> list[QueueItem]:
    flagged = await Flag.filter(status=FlagStatus.OPEN, post__thread__course_id=course_id
                                ).values_list("post_id", flat=True)
    posts = await Post.filter(thread__course_id=course_id).filter(
        id__in=list(set(flagged))).prefetch_related("author", "thread")
    pending = await Post.filter(thread__course_id=course_id, status=PostStatus.PENDING
                                ).prefetch_related("author", "thread")
    edits = await Post.filter(thread__course_id=course_id, status=PostStatus.PUBLISHED,
                              pending_body_md__isnull=False).prefetch_related("author", "thread")
    items = {}
    for post in [*posts, *pending, *edits]:
        item = await queue_item(post, viewer)
        if item is not None:
            items[post.id] = item
    return sorted(items.values(), key=lambda i: (i.queued_at, i.post.id), reverse=True)


async def open_thread_page(user: User, thread_id: object) -> tuple[Any, Any, list[Post]]:
    thread = await get_thread(thread_id)
    viewer = await viewer_in(user, thread.course_id)
    posts = await thread_posts(thread.id)
    root = next(p for p in posts if p.depth == 0)
    if not shown_to(root, viewer):
        raise NotFound(_("No thread %(id)s.", id=thread.id))
    return build_page(thread, posts, viewer), viewer, posts


async def my_votes(user_id: int, thread_id: int) -> list[int]:
    return sorted(await Vote.filter(user_id=user_id, post__thread_id=thread_id).values_list(
        "post_id", flat=True))


async def audit_log(actor: User, course_id: str, limit: int = 200) -> list[dict[str, object]]:
    """The course's moderation log for instructors; whom an action targeted is left out,
    since a ban by post could otherwise name an anonymous author."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    rows = await ModerationAction.filter(course_id=course_id).prefetch_related(
        "actor").order_by("-id").limit(limit)
    return [{"id": r.id, "action": r.action, "actor": {"id": r.actor_id,
             "name": r.actor.name} if r.actor else None, "post_id": r.post_id,
             "thread_id": r.thread_id, "reason": r.reason,
             "created_at": r.created_at.isoformat()} for r in rows]
