"""The forum's events: one definition each of topic, audiences and fragments.

Topics: `thread:<id>` (thread pages), `course:<id>:forum` (thread lists),
`course:<id>:staff` (moderation queue), `user:<id>` (the author's own view of their posts,
moderation decisions, followed threads). Shared topics are rendered once per audience,
`student` and `staff`, never per user; anything personal ("you (anonymous)", the edit
form, the list row of one's own anonymous thread, one's "you voted" marks, the "My posts"
list of a change's author and of the thread's starter) goes only on that person's own
`user:<id>` topic, published after the shared frames so it lands last. Other people's
"My posts" rows change (or move up) through the shared list frames, where a row exists.
Thread topics follow the thread page's visibility: an audience that may not open the page
gets no frame of the thread.
Who may join those topics and what a rejoining page is re-sent: forum.resync. What one
change looks like to one viewer: forum.frames; the thread-list frames: forum.list_events.
Each event's payload is typed in forum.payloads and listed in `EVENT_TYPES`.
"""

from __future__ import annotations

from typing import Any

from core.event_types import EventType
from core.human_time import human_time
from core.i18n import gettext as _
from core.templating import render
from forum import fragments
from forum.access import personal_audience
from forum.anonymity import SHARED_VIEWERS, STAFF, STUDENT, Viewer
from forum.changes import SHOWN_OR_GONE, Action, PostChange, QueueChange
from forum.frames import post_data, root_of, thread_page_html
from forum.list_events import my_lists_changed, publish_my_lists, publish_row
from forum.payloads import (
    BanPayload,
    Decision,
    FollowedThreadPost,
    PostGone,
    PostPayload,
    QueueItemPayload,
    QueueItemResolved,
    ScoreChanged,
)
from forum.presenters import post_json
from forum.queries import (
    my_votes,
    queue_item,
    shown_to,
    thread_listed_for,
    thread_posts,
)
from forum.queue_count import count_html, waiting_count
from forum.settings import anonymity_choices
from models.forum import Ban, Follow, Post, PostStatus, Thread
from models.users import User
from realtime.publish import in_every_language, publish

_POSTS = ("thread:<id>", "course:<id>:forum", "user:me")
_QUEUE = ("course:<id>:staff",)
THREAD_CREATED = EventType(
    "forum.thread.created", "A thread was started (or its held opening post approved): its "
    "list row, to every list that shows it.", PostPayload, ("course:<id>:forum", "user:me"))
POST_CREATED = EventType(
    "forum.post.created", "A post appeared (new, or approved), or a post in a thread the "
    "reader follows.", PostPayload | FollowedThreadPost, _POSTS)
POST_UPDATED = EventType(
    "forum.post.updated", "A post or its thread changed: edited, endorsed, voted on, unhidden, "
    "pinned, locked or closed.", PostPayload | PostGone | ScoreChanged, _POSTS)
POST_HIDDEN = EventType(
    "forum.post.hidden", "A post was hidden, rejected or deleted: staff see it with its "
    "status, everyone else only where it was.", PostPayload | PostGone, _POSTS)
QUEUED = EventType(
    "forum.moderation.queued", "A moderation queue item appeared or changed (held post, "
    "held edit, report).", QueueItemPayload, _QUEUE)
CLAIMED = EventType(
    "forum.moderation.claimed", "A TA claimed or released a queue item.", QueueItemPayload,
    _QUEUE)
RESOLVED = EventType(
    "forum.moderation.resolved", "A queue item was settled and leaves the queue.",
    QueueItemResolved, _QUEUE)
DECISION = EventType(
    "forum.moderation.decision", "What staff decided about the reader's post or held edit, "
    "and why.", Decision, ("user:me",))
BAN = EventType(
    "forum.ban", "The reader may not post in a course's forum until a time.", BanPayload,
    ("user:me",))
EVENT_TYPES = (THREAD_CREATED, POST_CREATED, POST_UPDATED, POST_HIDDEN, QUEUED, CLAIMED,
               RESOLVED, DECISION, BAN)

# change -> event name on the thread and list topics
EVENT_OF = {PostChange.CREATED: "forum.post.created", PostChange.UPDATED: "forum.post.updated",
            PostChange.PINNED: "forum.post.updated", PostChange.THREAD: "forum.post.updated",
            PostChange.UNHIDDEN: "forum.post.updated", PostChange.HIDDEN: "forum.post.hidden",
            PostChange.REMOVED: "forum.post.hidden"}


async def post_changed(post_id: int, change: PostChange) -> None:
    """Publish a post's change (created, updated, hidden, unhidden, removed, none) to
    its thread page, the course's thread list, and its author's own topic."""
    if change == PostChange.NONE:
        return
    post = await Post.get(id=post_id).prefetch_related("author")
    thread = await Thread.get(id=post.thread_id).prefetch_related("topic")
    posts = await thread_posts(thread.id)
    post = next(p for p in posts if p.id == post_id)
    root = root_of(posts)
    if change in (PostChange.PINNED, PostChange.THREAD):
        # The thread's change, whichever of its posts it was asked on.
        post = root
    choices = await anonymity_choices(thread.course_id)
    event = EVENT_OF[change]
    if post.depth == 0 and change == PostChange.CREATED:
        event = "forum.post.created"
    data: dict[str, Any] = {}
    for viewer in SHARED_VIEWERS:
        d = post_data(change, post, thread, posts, viewer)
        if d is not None:
            data[viewer.audience] = d

    def thread_pages() -> dict[str, str]:
        pages = ((viewer.audience, thread_page_html(change, post, thread, posts, viewer, choices))
                 for viewer in SHARED_VIEWERS)
        return {audience: h for audience, h in pages if h}

    html = in_every_language(thread_pages)
    if data or html:
        await publish(f"thread:{thread.id}", event, data, html)
    if post.depth == 0 or change in SHOWN_OR_GONE:
        new_thread = post.depth == 0 and change == PostChange.CREATED
        await publish_row(thread, posts, "forum.thread.created" if new_thread else event, post,
                          change)
        await publish_my_lists(thread, event, my_lists_changed(post, root, change))
    await _publish_self(post, thread, posts, change, event, choices)
    if root.author_id != post.author_id and not shown_to(root, STUDENT):
        # Only its author (and staff) may have a held thread open: theirs comes on their topic.
        await _publish_self(post, thread, posts, change, event, choices, root.author_id)
    if post.depth == 1 and change == PostChange.UNHIDDEN:
        # The reply came back with its comments re-rendered for everyone; their
        # authors get their own view of them again.
        for author_id in {p.author_id for p in posts if p.parent_id == post.id} - {
                post.author_id}:
            await _publish_self(post, thread, posts, PostChange.UNHIDDEN, event, choices, author_id)
    if change == PostChange.CREATED and post.status == PostStatus.PUBLISHED and post.depth > 0:
        await _notify_followers(post, thread, root)
    if change == PostChange.CREATED and post.status == PostStatus.PENDING:
        await queue_changed(post.id, QueueChange.QUEUED)


async def _publish_self(post: Post, thread: Thread, posts: list[Post], change: PostChange,
                        event: str, choices: list[Any], user_id: int | None = None) -> None:
    user_id = user_id or post.author_id
    viewer = Viewer(await personal_audience(user_id, thread.course_id), user_id)

    def own_page() -> dict[str, str]:
        fragment = thread_page_html(change, post, thread, posts, viewer, choices)
        if change == PostChange.CREATED and user_id == post.author_id and post.depth > 0 \
                and post.status == PostStatus.PUBLISHED:
            # Posting made them follow the thread (forum.follows.follow_on_posting).
            fragment = (fragment or "") + render("forum/_follow.html", thread_id=thread.id,
                                                 following=True, follow_oob=True)
        return {"self": fragment} if fragment else {}

    html = in_every_language(own_page)
    data = post_data(change, post, thread, posts, viewer)
    if html or data:
        await publish(f"user:{user_id}", event, {"self": data} if data else {}, html)


async def vote_changed(post_id: int, voter_id: int) -> None:
    """A vote only changes a score: every open page gets that one number (no re-render of
    the thread or its list), and the voter's own pages their "you voted" marks."""
    post = await Post.get(id=post_id)
    thread = await Thread.get(id=post.thread_id)
    root = post if post.depth == 0 else await Post.get(thread_id=thread.id, depth=0)
    payload = {"id": post.id, "thread_id": thread.id, "score": post.score}
    open_to = [v.audience for v in SHARED_VIEWERS if shown_to(root, v)]
    scores = in_every_language(lambda: {a: fragments.score(post.id, post.score)
                                        for a in open_to})
    await publish(f"thread:{thread.id}", "forum.post.updated",
                  {a: payload for a in open_to}, scores)
    if post.depth == 0:  # the opening post's score shows on the thread's list rows
        listed = [v.audience for v in SHARED_VIEWERS if thread_listed_for(root, v)]
        rows = in_every_language(lambda: {a: fragments.row_score(thread.id, post.score)
                                          for a in listed})
        await publish(f"course:{thread.course_id}:forum", "forum.post.updated",
                      {a: {**payload, "thread": {"id": thread.id, "score": post.score}}
                       for a in listed}, rows)
    voted = await my_votes(voter_id, thread.id)
    marks = in_every_language(lambda: {"self": fragments.my_votes(thread.id, voted, oob=True)})
    await publish(f"user:{voter_id}", "forum.post.updated",
                  {"self": {**payload, "voted": post.id in voted}}, marks)


async def thread_created(thread_id: int) -> None:
    root = await Post.get(thread_id=thread_id, depth=0)
    await post_changed(root.id, PostChange.CREATED)


async def _notify_followers(post: Post, thread: Thread, root: Post) -> None:
    followers = await Follow.filter(thread_id=thread.id).exclude(
        user_id=post.author_id).values_list("user_id", flat=True)
    if not shown_to(root, STUDENT):  # a held thread: only its author and staff may know it
        followers = [u for u in followers if u == root.author_id
                     or await personal_audience(u, thread.course_id) == "staff"]
    html = in_every_language(lambda: {"self": fragments.notice(
        _("New post in “%(title)s”", title=thread.title),
        f"/forum/threads/{thread.id}#post-{post.id}")})
    for user_id in followers:
        await publish(f"user:{user_id}", "forum.post.created",
                      {"self": {"thread_id": thread.id, "post_id": post.id,
                                "thread_title": thread.title, "following": True}},
                      html)


# ---- moderation queue -------------------------------------------------------------------------

async def queue_changed(post_id: int, change: QueueChange) -> None:
    """A queue item appeared or changed (queued, claimed) or was settled (resolved)."""
    post = await Post.get(id=post_id).prefetch_related("author", "thread")
    course_id = post.thread.course_id
    topic = f"course:{course_id}:staff"
    item = await queue_item(post, STAFF)
    waiting = await waiting_count(course_id)

    def count() -> str:  # the staff navigation's live count
        return count_html(course_id, waiting, oob=True)

    if change == QueueChange.RESOLVED or item is None:
        gone = in_every_language(lambda: {"staff": fragments.delete(f"modq-item-{post.id}")
                                          + count()})
        await publish(topic, "forum.moderation.resolved",
                      {"staff": {"post_id": post.id, "thread_id": post.thread_id,
                                 "status": post.status.value}}, gone)
        return
    data = {"post_id": post.id, "thread_id": post.thread_id, "pending": item.pending,
            "flags": len(item.flags), "claimed_by": item.claimed_by,
            "post": post_json(item.post)}
    if change == QueueChange.CLAIMED:
        claimed = in_every_language(lambda: {
            "staff": fragments.queue_item(item, course_id, oob=True) + count()})
        await publish(topic, "forum.moderation.claimed", {"staff": data}, claimed)
    else:
        queued = in_every_language(lambda: {
            "staff": fragments.upsert_queue_item(item, course_id) + count()})
        await publish(topic, "forum.moderation.queued", {"staff": data}, queued)


def _decision(action: Action) -> str:
    return {Action.APPROVE: _("approved"), Action.REJECT: _("rejected"),
            Action.HIDE: _("hidden by a moderator"),
            Action.DELETE: _("removed by a moderator")}[action]


def _decided_what(edit: bool, depth: int) -> str:
    if edit:
        return _("edit of your thread") if depth == 0 else _("edit of your post")
    return _("thread") if depth == 0 else _("post")


async def decision_for_author(post_id: int, action: Action, reason: str, *,
                              edit: bool = False) -> None:
    """Tell the author, on their own topic, what became of their post (or their held
    edit of it) and why."""
    post = await Post.get(id=post_id).prefetch_related("thread")

    def notice() -> dict[str, str]:
        text = _("Your %(what)s in “%(title)s” was %(decision)s.",
                 what=_decided_what(edit, post.depth), title=post.thread.title,
                 decision=_decision(action))
        if reason:
            text += " " + _("Reason: %(reason)s", reason=reason)
        return {"self": fragments.notice(text, f"/forum/threads/{post.thread_id}")}

    html = in_every_language(notice)
    await publish(f"user:{post.author_id}", "forum.moderation.decision",
                  {"self": {"post_id": post.id, "thread_id": post.thread_id,
                            "decision": action, "reason": reason, "edit": edit}},
                  html)


async def ban_notice(ban: Ban) -> None:
    zone = await User.filter(id=ban.user_id).first().values_list("timezone", flat=True)
    html = in_every_language(lambda: {"self": fragments.notice(_(
        "You can't post in this course's forum until %(until)s. Reason: %(reason)s",
        until=human_time(ban.until, zone), reason=ban.reason))})
    await publish(f"user:{ban.user_id}", "forum.ban",
                  {"self": {"course_id": ban.course_id, "until": ban.until.isoformat(),
                            "reason": ban.reason}}, html)


__all__ = ["post_changed", "queue_changed", "thread_created", "vote_changed"]
