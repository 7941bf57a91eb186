"""Publishing a change to the thread lists: the course's shared lists and each person's
own "My posts" list and rows."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from forum import fragments
from forum.access import personal_audience
from forum.anonymity import SHARED_VIEWERS, Viewer
from forum.changes import PostChange
from forum.frames import post_data
from forum.presenters import ThreadView, present_thread, thread_json
from forum.queries import (
    list_threads,
    listed_threads,
    reply_count,
    thread_listed_for,
)
from models.forum import Anonymity, Post, PostStatus, Thread
from realtime.publish import in_every_language, publish


async def publish_row(thread: Thread, posts: list[Post], event: str, post: Post,
                       change: PostChange) -> None:
    root = next(p for p in posts if p.depth == 0)
    moved = (change == PostChange.CREATED and post.status == PostStatus.PUBLISHED) or (
        post.depth == 0 and change in (PostChange.CREATED, PostChange.UNHIDDEN))
    data: dict[str, Any] = {}
    renders: dict[str, Callable[[], str]] = {}  # each audience's frame, in any language
    rows: dict[str, list[ThreadView]] = {}  # the rows each audience's frame carries
    for viewer in SHARED_VIEWERS:
        if not thread_listed_for(root, viewer):
            renders[viewer.audience] = partial(_removed_row, thread.id)
            if post.depth == 0 and change in (PostChange.HIDDEN, PostChange.REMOVED):
                data[viewer.audience] = {"id": post.id, "thread_id": thread.id,
                                         "status": post.status.value}
            continue
        view = present_thread(thread, root, viewer, reply_count(posts))
        if change == PostChange.PINNED:
            lists = await _lists(thread, viewer)
            renders[viewer.audience] = partial(_render_lists, thread.course_id, lists)
            rows[viewer.audience] = [t for _scope, threads in lists for t in threads]
        else:
            # The row on each "My posts" list that has it changes in place (or moves up)
            # with the same frame: no list is re-rendered per person for it.
            renders[viewer.audience] = partial(_changed_row, view, moved)
            rows[viewer.audience] = [view]
        d = post_data(change, post, thread, posts, viewer)
        if d is not None:
            d["thread"] = thread_json(view)
            data[viewer.audience] = d
    html = in_every_language(lambda: {a: render() for a, render in renders.items()})
    await publish(f"course:{thread.course_id}:forum", event, data, html)
    await _publish_own_rows(thread.course_id, rows, event)


def _removed_row(thread_id: int) -> str:
    return fragments.delete(f"thread-row-{thread_id}") + \
        fragments.delete(fragments.thread_row_id(thread_id, "mine"))


def _changed_row(view: ThreadView, moved: bool) -> str:
    return (fragments.upsert_row(view) if moved else fragments.row(view, oob=True)) + \
        fragments.my_row(view, moved)


async def _lists(thread: Thread, viewer: Viewer) -> list[tuple[str, list[ThreadView]]]:
    """Both lists of every thread list showing `thread` (all topics, and its topic), in
    the order a reload gives: pinning moves a row between lists and within them by last
    activity, which no single row insert can place. Each as (scope, its threads)."""
    return [(scope, await list_threads(thread.course_id, viewer, topic_key=topic_key))
            for scope, topic_key in (("all", None), (thread.topic.key, thread.topic.key))]


def _render_lists(course_id: str, lists: list[tuple[str, list[ThreadView]]]) -> str:
    return "".join(fragments.lists(course_id, threads, scope, oob=True)
                   for scope, threads in lists)


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
        audience = await personal_audience(author_id, course_id)
        shown = {t.id for t in rows.get(audience, [])}
        mine = [thread_id for thread_id in thread_ids if thread_id in shown]
        views = await listed_threads(mine, Viewer(audience, author_id)) if mine else []
        if views:
            html = in_every_language(lambda views=views: {
                "self": "".join(fragments.row(view, oob=True) for view in views)})
            await publish(f"user:{author_id}", event, {}, html)


def my_lists_changed(post: Post, root: Post, change: PostChange) -> set[int] | None:
    """Whose "My posts" list a change alters beyond what the shared row frames do (they
    update and move a row already on a list): the changed post's author (the thread may
    join or leave their list) and the thread's starter (their own rendering of its row).
    None means everyone who posted in the thread: pinning moves the row between lists,
    and a thread coming back (approved or unhidden) returns to every poster's list."""
    back = post.depth == 0 and change in (PostChange.CREATED, PostChange.UNHIDDEN)
    if change == PostChange.PINNED or back:
        return None
    return {post.author_id, root.author_id}


async def publish_my_lists(thread: Thread, event: str, user_ids: set[int] | None) -> None:
    """These people (None: everyone who has posted in `thread`, any status) get their own
    "My posts" lists re-rendered, in the order a reload gives, on their own topic only:
    those lists are per person, so no shared frame may carry them whole."""
    if user_ids is None:
        user_ids = set(await Post.filter(thread_id=thread.id).distinct().values_list(
            "author_id", flat=True))
    for user_id in sorted(user_ids):
        viewer = Viewer(await personal_audience(user_id, thread.course_id), user_id)
        threads = await list_threads(thread.course_id, viewer, mine=True)
        html = in_every_language(lambda threads=threads: {
            "self": fragments.lists(thread.course_id, threads, "mine", oob=True)})
        await publish(f"user:{user_id}", event, {}, html)
