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
Resync: a page showing a filtered thread list (one topic's threads, or the viewer's own)
also joins `forum_list:<course_id>/<query>` (nothing is published there), which re-sends
that list; `course:<id>:forum` re-sends the all-topics lists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

from app.ids import parse_id
from forum import fragments
from forum.anonymity import SHARED_VIEWERS, STAFF, STUDENT, Viewer, allowed_levels
from forum.presenters import ThreadView, post_json, present_post, present_thread, thread_json
from forum.queries import (
    build_page,
    list_threads,
    listed_threads,
    moderation_queue,
    queue_item,
    reply_count,
    reply_view,
    shown_to,
    thread_listed_for,
    thread_posts,
)
from models.courses import Membership, Role
from models.forum import Anonymity, Ban, Follow, ForumSettings, Post, PostStatus, Thread, Vote
from models.users import User
from realtime.publish import publish
from realtime.resync import register_resync
from realtime.topics import Topic, course_audience, register_topic_kind

# change -> event name on the thread and list topics
EVENT_OF = {"created": "forum.post.created", "updated": "forum.post.updated",
            "pinned": "forum.post.updated", "thread": "forum.post.updated",
            "unhidden": "forum.post.updated", "hidden": "forum.post.hidden",
            "removed": "forum.post.hidden"}


async def _choices(course_id: str) -> list[Any]:
    settings = await ForumSettings.get_or_none(course_id=course_id)
    return allowed_levels(settings.max_anonymity if settings else Anonymity.PEERS)


async def _audience_of(user_id: int, course_id: str) -> str:
    user = await User.get(id=user_id)
    if user.is_admin:
        return "staff"
    m = await Membership.get_or_none(user_id=user_id, course_id=course_id)
    return "staff" if m and m.role in (Role.TA, Role.INSTRUCTOR) else "student"


# ---- thread page fragments ----------------------------------------------------------------

def _root(posts: list[Post]) -> Post:
    return next(p for p in posts if p.depth == 0)


def _root_gone(change: str, post: Post) -> bool:
    """The opening post itself was just taken away (rejected or deleted)."""
    return post.depth == 0 and change == "removed"


def _thread_page_html(change: str, post: Post, thread: Thread, posts: list[Post],
                      viewer: Viewer, choices: list[Any]) -> str | None:
    """The frame that brings `viewer`'s open thread page up to date, or None.

    The same rule as the page itself: a viewer whose thread page would be a 404 (its opening
    post held, rejected or deleted, and not theirs) gets nothing of the thread, not even its
    title; a page they still have open loses the thread."""
    if not shown_to(_root(posts), viewer):
        return fragments.thread_gone(thread.id) if _root_gone(change, post) else None
    html = _post_fragment(change, post, thread, posts, viewer, choices)
    if post.depth > 0 and change in ("created", "hidden", "unhidden", "removed"):
        head = present_thread(thread, next(p for p in posts if p.depth == 0), viewer,
                              reply_count(posts))
        html = (html or "") + fragments.count(head)
    return html


def _post_fragment(change: str, post: Post, thread: Thread, posts: list[Post],
                   viewer: Viewer, choices: list[Any]) -> str | None:
    own = viewer.user_id is not None
    if post.depth == 0:
        page = build_page(thread, posts, viewer)
        return fragments.head(page.thread, choices, oob=True)
    if not shown_to(post, viewer):  # (a rejected post stays on its own author's page)
        key = f"reply-{post.id}" if post.depth == 1 else f"post-{post.id}"
        return fragments.delete(key) if change in ("removed", "hidden", "updated") else None
    if post.depth == 1:
        view = reply_view(posts, post.id, viewer)
        assert view is not None
        if change == "created":
            return fragments.upsert_reply(view, choices)
        if own or (change in ("hidden", "unhidden") and not viewer.staff):
            return fragments.reply(view, choices, oob=True)
        return fragments.article(view, oob=True)
    view = present_post(post, viewer)
    if change == "created":
        return fragments.upsert_comment(view)
    return fragments.article(view, oob=True)


def _post_data(change: str, post: Post, thread: Thread, posts: list[Post],
               viewer: Viewer) -> dict[str, Any] | None:
    gone = {"id": post.id, "thread_id": post.thread_id, "status": post.status.value}
    if not shown_to(_root(posts), viewer):
        return gone if _root_gone(change, post) and post.status == PostStatus.DELETED else None
    if change == "removed" and not shown_to(post, viewer):
        if post.status == PostStatus.REJECTED and not (viewer.staff or viewer.user_id):
            return None  # students never saw it
        return gone
    if not shown_to(post, viewer):
        return None
    data = post_json(present_post(post, viewer))
    if post.depth == 0:
        data["thread"] = thread_json(present_thread(thread, post, viewer, reply_count(posts)))
    return data


async def post_changed(post_id: int, change: str) -> None:
    """Publish a post's change (created, updated, hidden, unhidden, removed, none) to
    its thread page, the course's thread list, and its author's own topic."""
    if change == "none":
        return
    post = await Post.get(id=post_id).prefetch_related("author")
    thread = await Thread.get(id=post.thread_id).prefetch_related("topic")
    posts = await thread_posts(thread.id)
    post = next(p for p in posts if p.id == post_id)
    root = _root(posts)
    if change in ("pinned", "thread"):  # the thread's, whichever of its posts it was asked on
        post = root
    choices = await _choices(thread.course_id)
    event = EVENT_OF[change]
    if post.depth == 0 and change == "created":
        event = "forum.post.created"
    data: dict[str, Any] = {}
    html: dict[str, str] = {}
    for viewer in SHARED_VIEWERS:
        d = _post_data(change, post, thread, posts, viewer)
        if d is not None:
            data[viewer.audience] = d
        h = _thread_page_html(change, post, thread, posts, viewer, choices)
        if h:
            html[viewer.audience] = h
    if data or html:
        await publish(f"thread:{thread.id}", event, data, html)
    if post.depth == 0 or change in ("created", "hidden", "unhidden", "removed"):
        await _publish_row(thread, posts, event, post, change)
        await _publish_my_lists(thread, event, _my_lists_changed(post, root, change))
    await _publish_self(post, thread, posts, change, event, choices)
    if root.author_id != post.author_id and not shown_to(root, STUDENT):
        # Only its author (and staff) may have a held thread open: theirs comes on their topic.
        await _publish_self(post, thread, posts, change, event, choices, root.author_id)
    if post.depth == 1 and change == "unhidden":
        # The reply came back with its comments re-rendered for everyone; their
        # authors get their own view of them again.
        for author_id in {p.author_id for p in posts if p.parent_id == post.id} - {
                post.author_id}:
            await _publish_self(post, thread, posts, "unhidden", event, choices, author_id)
    if change == "created" and post.status == PostStatus.PUBLISHED and post.depth > 0:
        await _notify_followers(post, thread, root)
    if change == "created" and post.status == PostStatus.PENDING:
        await queue_changed(post.id, "queued")


async def _publish_self(post: Post, thread: Thread, posts: list[Post], change: str,
                        event: str, choices: list[Any], user_id: int | None = None) -> None:
    user_id = user_id or post.author_id
    viewer = Viewer(await _audience_of(user_id, thread.course_id), user_id)
    html = _thread_page_html(change, post, thread, posts, viewer, choices)
    data = _post_data(change, post, thread, posts, viewer)
    if html or data:
        await publish(f"user:{user_id}", event, {"self": data} if data else {},
                      {"self": html} if html else {})


async def _publish_row(thread: Thread, posts: list[Post], event: str, post: Post,
                       change: str) -> None:
    root = next(p for p in posts if p.depth == 0)
    moved = (change == "created" and post.status == PostStatus.PUBLISHED) or (
        post.depth == 0 and change in ("created", "unhidden"))
    data: dict[str, Any] = {}
    html: dict[str, str] = {}
    rows: dict[str, list[ThreadView]] = {}  # the rows each audience's frame carries
    for viewer in SHARED_VIEWERS:
        if not thread_listed_for(root, viewer):
            html[viewer.audience] = fragments.delete(f"thread-row-{thread.id}") + \
                fragments.delete(fragments.thread_row_id(thread.id, "mine"))
            if post.depth == 0 and change in ("hidden", "removed"):
                data[viewer.audience] = {"id": post.id, "thread_id": thread.id,
                                         "status": post.status.value}
            continue
        view = present_thread(thread, root, viewer, reply_count(posts))
        if change == "pinned":
            html[viewer.audience], rows[viewer.audience] = await _lists(thread, viewer)
        else:
            # The row on each "My posts" list that has it changes in place (or moves up)
            # with the same frame: no list is re-rendered per person for it.
            html[viewer.audience] = (fragments.upsert_row(view) if moved
                                     else fragments.row(view, oob=True)) + \
                fragments.my_row(view, moved)
            rows[viewer.audience] = [view]
        d = _post_data(change, post, thread, posts, viewer)
        if d is not None:
            d["thread"] = thread_json(view)
            data[viewer.audience] = d
    if post.depth == 0 and change == "created":
        event = "forum.thread.created"
    await publish(f"course:{thread.course_id}:forum", event, data, html)
    await _publish_own_rows(thread.course_id, rows, event)


async def _lists(thread: Thread, viewer: Viewer) -> tuple[str, list[ThreadView]]:
    """Both lists of every thread list showing `thread` (all topics, and its topic), in
    the order a reload gives: pinning moves a row between lists and within them by last
    activity, which no single row insert can place. Also the rows they carry."""
    parts, rows = [], []
    for scope, topic_key in (("all", None), (thread.topic.key, thread.topic.key)):
        threads = await list_threads(thread.course_id, viewer, topic_key=topic_key)
        parts.append(fragments.lists(thread.course_id, threads, scope, oob=True))
        rows += threads
    return "".join(parts), rows


async def _publish_own_rows(course_id: str, rows: dict[str, list[ThreadView]],
                            event: str) -> None:
    """The shared frames just sent show an anonymous thread's row as its author's audience
    sees it ("Anonymous"); a reload shows its author "you (anonymous)". Each such author
    gets their own rendering of those rows, replaced by id, on their own topic only."""
    anonymous = {t.id for views in rows.values() for t in views
                 if t.root.anonymity != Anonymity.NONE.value}
    if not anonymous:
        return
    by_author: dict[int, list[int]] = {}
    for thread_id, author_id in await Post.filter(
            thread_id__in=sorted(anonymous), depth=0).values_list("thread_id", "author_id"):
        by_author.setdefault(author_id, []).append(thread_id)
    for author_id, thread_ids in sorted(by_author.items()):
        audience = await _audience_of(author_id, course_id)
        shown = {t.id for t in rows.get(audience, [])}
        mine = [thread_id for thread_id in thread_ids if thread_id in shown]
        views = await listed_threads(mine, Viewer(audience, author_id)) if mine else []
        if views:
            html = "".join(fragments.row(view, oob=True) for view in views)
            await publish(f"user:{author_id}", event, {}, {"self": html})


def _my_lists_changed(post: Post, root: Post, change: str) -> set[int] | None:
    """Whose "My posts" list a change alters beyond what the shared row frames do (they
    update and move a row already on a list): the changed post's author (the thread may
    join or leave their list) and the thread's starter (their own rendering of its row).
    None means everyone who posted in the thread: pinning moves the row between lists,
    and a thread coming back (approved or unhidden) returns to every poster's list."""
    if change == "pinned" or (post.depth == 0 and change in ("created", "unhidden")):
        return None
    return {post.author_id, root.author_id}


async def _publish_my_lists(thread: Thread, event: str, user_ids: set[int] | None) -> None:
    """These people (None: everyone who has posted in `thread`, any status) get their own
    "My posts" lists re-rendered, in the order a reload gives, on their own topic only:
    those lists are per person, so no shared frame may carry them whole."""
    if user_ids is None:
        user_ids = set(await Post.filter(thread_id=thread.id).distinct().values_list(
            "author_id", flat=True))
    for user_id in sorted(user_ids):
        viewer = Viewer(await _audience_of(user_id, thread.course_id), user_id)
        threads = await list_threads(thread.course_id, viewer, mine=True)
        await publish(f"user:{user_id}", event, {},
                      {"self": fragments.lists(thread.course_id, threads, "mine", oob=True)})


async def my_votes(user_id: int, thread_id: int) -> list[int]:
    return sorted(await Vote.filter(user_id=user_id, post__thread_id=thread_id).values_list(
        "post_id", flat=True))


async def vote_changed(post_id: int, voter_id: int) -> None:
    """A vote only changes a score: every open page gets that one number (no re-render of
    the thread or its list), and the voter's own pages their "you voted" marks."""
    post = await Post.get(id=post_id)
    thread = await Thread.get(id=post.thread_id)
    root = post if post.depth == 0 else await Post.get(thread_id=thread.id, depth=0)
    payload = {"id": post.id, "thread_id": thread.id, "score": post.score}
    score = fragments.score(post.id, post.score)
    open_to = [v.audience for v in SHARED_VIEWERS if shown_to(root, v)]
    await publish(f"thread:{thread.id}", "forum.post.updated",
                  {a: payload for a in open_to}, {a: score for a in open_to})
    if post.depth == 0:  # the opening post's score shows on the thread's list rows
        listed = [v.audience for v in SHARED_VIEWERS if thread_listed_for(root, v)]
        rows = fragments.row_score(thread.id, post.score)
        await publish(f"course:{thread.course_id}:forum", "forum.post.updated",
                      {a: {**payload, "thread": {"id": thread.id, "score": post.score}}
                       for a in listed}, {a: rows for a in listed})
    voted = await my_votes(voter_id, thread.id)
    await publish(f"user:{voter_id}", "forum.post.updated",
                  {"self": {**payload, "voted": post.id in voted}},
                  {"self": fragments.my_votes(thread.id, voted, oob=True)})


async def thread_created(thread_id: int) -> None:
    root = await Post.get(thread_id=thread_id, depth=0)
    await post_changed(root.id, "created")


async def _notify_followers(post: Post, thread: Thread, root: Post) -> None:
    followers = await Follow.filter(thread_id=thread.id).exclude(
        user_id=post.author_id).values_list("user_id", flat=True)
    if not shown_to(root, STUDENT):  # a held thread: only its author and staff may know it
        followers = [u for u in followers if u == root.author_id
                     or await _audience_of(u, thread.course_id) == "staff"]
    text = f"New post in “{thread.title}”"
    html = fragments.notice(text, f"/forum/threads/{thread.id}#post-{post.id}")
    for user_id in followers:
        await publish(f"user:{user_id}", "forum.post.created",
                      {"self": {"thread_id": thread.id, "post_id": post.id,
                                "thread_title": thread.title, "following": True}},
                      {"self": html})


# ---- moderation queue -------------------------------------------------------------------------

async def queue_changed(post_id: int, change: str) -> None:
    """A queue item appeared or changed (queued, claimed) or was settled (resolved)."""
    post = await Post.get(id=post_id).prefetch_related("author", "thread")
    course_id = post.thread.course_id
    topic = f"course:{course_id}:staff"
    item = await queue_item(post, STAFF)
    if change == "resolved" or item is None:
        await publish(topic, "forum.moderation.resolved",
                      {"staff": {"post_id": post.id, "thread_id": post.thread_id,
                                 "status": post.status.value}},
                      {"staff": fragments.delete(f"modq-item-{post.id}")})
        return
    data = {"post_id": post.id, "thread_id": post.thread_id, "pending": item.pending,
            "flags": len(item.flags), "claimed_by": item.claimed_by,
            "post": post_json(item.post)}
    if change == "claimed":
        await publish(topic, "forum.moderation.claimed", {"staff": data},
                      {"staff": fragments.queue_item(item, course_id, oob=True)})
    else:
        await publish(topic, "forum.moderation.queued", {"staff": data},
                      {"staff": fragments.upsert_queue_item(item, course_id)})


_DECISIONS = {"approve": "approved", "reject": "rejected", "hide": "hidden by a moderator",
              "delete": "removed by a moderator"}


async def decision_for_author(post_id: int, action: str, reason: str, *,
                              edit: bool = False) -> None:
    """Tell the author, on their own topic, what became of their post (or their held
    edit of it) and why."""
    post = await Post.get(id=post_id).prefetch_related("thread")
    what = "edit of your " if edit else ""
    what += "thread" if post.depth == 0 else "post"
    text = f"Your {what} in “{post.thread.title}” was {_DECISIONS[action]}."
    if reason:
        text += f" Reason: {reason}"
    await publish(f"user:{post.author_id}", "forum.moderation.decision",
                  {"self": {"post_id": post.id, "thread_id": post.thread_id,
                            "decision": action, "reason": reason, "edit": edit}},
                  {"self": fragments.notice(text, f"/forum/threads/{post.thread_id}")})


async def ban_notice(ban: Ban) -> None:
    text = (f"You can't post in this course's forum until "
            f"{ban.until.strftime('%Y-%m-%d %H:%M UTC')}. Reason: {ban.reason}")
    await publish(f"user:{ban.user_id}", "forum.ban",
                  {"self": {"course_id": ban.course_id, "until": ban.until.isoformat(),
                            "reason": ban.reason}}, {"self": fragments.notice(text)})


# ---- topics and resync -------------------------------------------------------------------------

async def _authorize_thread(topic: Topic, user: User) -> str | None:
    """Members whose thread page would open (the opening post visible to them: published
    or hidden, or their own held one; the same rule as the page)."""
    thread_id = parse_id(topic.key)
    thread = await Thread.get_or_none(id=thread_id) if thread_id is not None else None
    if thread is None:
        return None
    audience = await course_audience(thread.course_id, user)
    root = await Post.get_or_none(thread_id=thread.id, depth=0)
    if audience is None or root is None or not shown_to(root, Viewer(audience, user.id)):
        return None
    return audience


async def _resync_thread(topic: Topic, user: User, audience: str) -> str:
    thread_id = parse_id(topic.key)
    thread = await Thread.get_or_none(id=thread_id).prefetch_related("topic") \
        if thread_id is not None else None
    if thread is None:
        return ""
    posts = await thread_posts(thread.id)
    viewer = Viewer(audience, user.id)
    if not shown_to(_root(posts), viewer):  # gone since the page was rendered
        return fragments.thread_gone(thread.id)
    page = build_page(thread, posts, viewer)
    choices = await _choices(thread.course_id)
    voted = await my_votes(user.id, thread.id)
    return (fragments.head(page.thread, choices, oob=True)
            + fragments.posts(page, choices, oob=True)
            + fragments.my_votes(thread.id, voted, oob=True))


async def _resync_list(topic: Topic, user: User, audience: str) -> str:
    threads = await list_threads(topic.key, Viewer(audience, user.id))
    return fragments.lists(topic.key, threads, oob=True)


def list_topic(course_id: str, topic_key: str | None = None, mine: bool = False) -> str:
    """The resync-only topic of a filtered thread list (see the module docstring)."""
    query = urlencode({**({"topic": topic_key} if topic_key else {}),
                       **({"mine": "1"} if mine else {})})
    return f"forum_list:{course_id}/{query}"


def _list_filter(topic: Topic) -> tuple[str, str | None, bool]:
    course_id, _, query = topic.key.partition("/")  # course ids hold no "/"
    params = parse_qs(query)
    return course_id, (params.get("topic") or [None])[0], params.get("mine") == ["1"]


async def _authorize_list(topic: Topic, user: User) -> str | None:
    course_id, _, _ = _list_filter(topic)
    return await course_audience(course_id, user) if course_id else None


async def _resync_filtered_list(topic: Topic, user: User, audience: str) -> str:
    course_id, topic_key, mine = _list_filter(topic)
    if not (topic_key or mine):
        return ""  # the all-topics lists come with course:<id>:forum
    threads = await list_threads(course_id, Viewer(audience, user.id), topic_key=topic_key,
                                 mine=mine)
    scope = "mine" if mine else topic_key
    return fragments.lists(course_id, threads, scope or "all", oob=True)


async def _resync_queue(topic: Topic, user: User, audience: str) -> str:
    if audience != "staff":
        return ""
    return fragments.queue(topic.key, await moderation_queue(topic.key, STAFF), oob=True)


register_topic_kind("thread", _authorize_thread)
register_topic_kind("forum_list", _authorize_list)
register_resync("forum_list", _resync_filtered_list)
register_resync("thread", _resync_thread)
register_resync("course_forum", _resync_list)
register_resync("course_staff", _resync_queue)

__all__ = ["STUDENT", "list_topic", "my_votes", "post_changed", "queue_changed",
           "thread_created", "vote_changed"]
