"""What one post change looks like to one viewer: the frame for their open thread page
and the data of the event."""

from __future__ import annotations

from typing import Any

from forum import fragments
from forum.anonymity import Viewer
from forum.changes import SHOWN_OR_GONE, PostChange
from forum.presenters import post_json, present_post, present_thread, thread_json
from forum.queries import (
    build_page,
    reply_count,
    reply_view,
    shown_to,
)
from models.forum import Post, PostStatus, Thread


def root_of(posts: list[Post]) -> Post:
    return next(p for p in posts if p.depth == 0)


def _root_gone(change: PostChange, post: Post) -> bool:
    """The opening post itself was just taken away (rejected or deleted)."""
    return post.depth == 0 and change == PostChange.REMOVED


def thread_page_html(change: PostChange, post: Post, thread: Thread, posts: list[Post],
                      viewer: Viewer, choices: list[Any]) -> str | None:
    """The frame that brings `viewer`'s open thread page up to date, or None.

    The same rule as the page itself: a viewer whose thread page would be a 404 (its opening
    post held, rejected or deleted, and not theirs) gets nothing of the thread, not even its
    title; a page they still have open loses the thread."""
    if not shown_to(root_of(posts), viewer):
        return fragments.thread_gone(thread.id) if _root_gone(change, post) else None
    html = _post_fragment(change, post, thread, posts, viewer, choices)
    if post.depth > 0 and change in SHOWN_OR_GONE:
        head = present_thread(thread, next(p for p in posts if p.depth == 0), viewer,
                              reply_count(posts))
        html = (html or "") + fragments.count(head)
    return html


def _post_fragment(change: PostChange, post: Post, thread: Thread, posts: list[Post],
                   viewer: Viewer, choices: list[Any]) -> str | None:
    own = viewer.user_id is not None
    if post.depth == 0:
        page = build_page(thread, posts, viewer)
        return fragments.head(page.thread, choices, oob=True)
    if not shown_to(post, viewer):  # (a rejected post stays on its own author's page)
        key = f"reply-{post.id}" if post.depth == 1 else f"post-{post.id}"
        gone = change in (PostChange.REMOVED, PostChange.HIDDEN, PostChange.UPDATED)
        return fragments.delete(key) if gone else None
    if post.depth == 1:
        view = reply_view(posts, post.id, viewer)
        assert view is not None
        if change == PostChange.CREATED:
            return fragments.upsert_reply(view, choices)
        # The comment box follows the status.
        if own or change in (PostChange.HIDDEN, PostChange.UNHIDDEN):
            return fragments.reply(view, choices, oob=True)
        return fragments.article(view, oob=True)
    view = present_post(post, viewer)
    if change == PostChange.CREATED:
        return fragments.upsert_comment(view)
    return fragments.article(view, oob=True)


def post_data(change: PostChange, post: Post, thread: Thread, posts: list[Post],
               viewer: Viewer) -> dict[str, Any] | None:
    gone = {"id": post.id, "thread_id": post.thread_id, "status": post.status.value}
    if not shown_to(root_of(posts), viewer):
        return gone if _root_gone(change, post) and post.status == PostStatus.DELETED else None
    if change == PostChange.REMOVED and not shown_to(post, viewer):
        if post.status == PostStatus.REJECTED and not (viewer.staff or viewer.user_id):
            return None  # students never saw it
        return gone
    if not shown_to(post, viewer):
        return None
    data = post_json(present_post(post, viewer))
    if post.depth == 0:
        data["thread"] = thread_json(present_thread(thread, post, viewer, reply_count(posts)))
    return data
