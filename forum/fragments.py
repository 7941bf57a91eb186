"""HTML for the forum's live regions, as pages render them and as out-of-band swaps.

Every region has a stable id; a frame either replaces an element by id, deletes it, or
upserts it (delete, then append) so a repeated or late frame never duplicates a post.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from core.templating import dom_id, env, render
from forum.anonymity import Viewer, anonymity_labels
from forum.presenters import PostView, ThreadView
from forum.queries import QueueItem, ThreadPage
from forum.reply_pages import end_id, first_replies
from forum.status_names import status_names
from models.forum import Anonymity

# A fresh key per rendered form: submitting the same form twice makes one post.
env.globals["new_key"] = lambda: secrets.token_urlsafe(16)
env.globals["anonymity_labels"] = anonymity_labels
env.globals["status_names"] = status_names


def head_id(thread_id: int) -> str:
    return f"thread-{thread_id}-head"


def posts_id(thread_id: int) -> str:
    return f"thread-{thread_id}-posts"


def thread_row_id(thread_id: int, scope: str = "all") -> str:
    """A thread's list row. Rows on a viewer's own ("mine") list have ids of their own: the
    shared frames move rows between the all-topics and topic lists, which that list is not
    part of; it is re-sent whole to its viewer instead (events._publish_my_lists)."""
    return f"my-thread-row-{thread_id}" if scope == "mine" else f"thread-row-{thread_id}"


env.globals["thread_row_id"] = thread_row_id


def list_id(course_id: str, pinned: bool, scope: str = "all") -> str:
    return dom_id("forum-pinned" if pinned else "forum-threads", course_id, scope)


def queue_id(course_id: str) -> str:
    return dom_id("modq", course_id)


def delete(element_id: str) -> str:
    return f'<div id="{element_id}" hx-swap-oob="delete"></div>'


def head(page_or_thread: ThreadView, choices: Sequence[Anonymity], oob: bool = False) -> str:
    return render("forum/_head.html", t=page_or_thread, choices=choices, oob=oob)


def count(view: ThreadView) -> str:
    return render("forum/_count.html", t=view, oob=True)


def posts(page: ThreadPage, choices: Sequence[Anonymity], oob: bool = False,
          loaded: int = 0) -> str:
    """The replies region: the first page of replies (a resync: as many as the page had
    `loaded`, if more), then "load more" or the end marker."""
    shown, more = first_replies(page.thread.id, page.replies, loaded)
    return render("forum/_posts.html", t=page.thread, replies=shown, more=more,
                  choices=choices, oob=oob)


def more_replies(page: ThreadPage, replies: list[PostView], more: str | None,
                 choices: Sequence[Anonymity]) -> str:
    """A "load more" answer: the next replies, then the control for the rest or the end
    marker."""
    return render("forum/_replies_page.html", t=page.thread, replies=replies, more=more,
                  choices=choices)


def reply(view: PostView, choices: Sequence[Anonymity], oob: bool = False) -> str:
    return render("forum/_reply.html", r=view, choices=choices, oob=oob)


def article(view: PostView, oob: bool = False) -> str:
    return render("forum/_post.html", p=view, oob=oob)


def upsert_reply(view: PostView, choices: Sequence[Anonymity]) -> str:
    """A new (or newly shown) reply goes last: before the end marker, which only a page
    showing the thread's end has, so it never lands among replies not loaded yet."""
    return (delete(f"reply-{view.id}") + f'<div id="{end_id(view.thread_id)}" '
            f'hx-swap-oob="beforebegin">{reply(view, choices)}</div>')


def upsert_comment(view: PostView) -> str:
    return (delete(f"post-{view.id}") + f'<div id="post-{view.parent_id}-comments" '
            f'hx-swap-oob="beforeend">{article(view)}</div>')


def row(view: ThreadView, oob: bool = False, scope: str = "all") -> str:
    return render("forum/_row.html", t=view, oob=oob, scope=scope)


def my_row(view: ThreadView, moved: bool) -> str:
    """The thread's row on any "My posts" list that already shows it: replaced in place, or
    (new activity) moved to the top of its list. The `:has()` target makes the move apply
    only where the row is, so one shared frame serves everyone's own lists."""
    element = thread_row_id(view.id, "mine")
    if not moved:
        return row(view, oob=True, scope="mine")
    target = f"#{list_id(view.course_id, view.pinned, 'mine')}:has(#{element})"
    # htmx resolves every target of a frame before swapping, so the delete takes the old
    # row and the insert lands in the list that held it. The space after "afterbegin:"
    # matters: htmx splits style from target at the last colon before any whitespace, and
    # the target has a colon of its own.
    return (f'<ul hx-swap-oob="afterbegin: {target}">{row(view, scope="mine")}</ul>'
            + delete(element))


def upsert_row(view: ThreadView) -> str:
    """Move a thread's row to the top of its list (new activity), on any filtered list too."""
    body = row(view)
    frames = [delete(f"thread-row-{view.id}")]
    for scope in ("all", view.topic_key):
        frames.append(f'<ul id="{list_id(view.course_id, view.pinned, scope)}" '
                      f'hx-swap-oob="afterbegin">{body}</ul>')
    return "".join(frames)


def lists(course_id: str, threads: list[ThreadView], scope: str = "all",
          oob: bool = False) -> str:
    return render("forum/_lists.html", course_id=course_id, scope=scope,
                  pinned=[t for t in threads if t.pinned],
                  others=[t for t in threads if not t.pinned], oob=oob)


def queue_item(item: QueueItem, course_id: str, oob: bool = False) -> str:
    return render("forum/_queue_item.html", item=item, course_id=course_id, oob=oob)


def upsert_queue_item(item: QueueItem, course_id: str) -> str:
    return (delete(f"modq-item-{item.post.id}") + f'<ol id="{queue_id(course_id)}" '
            f'hx-swap-oob="afterbegin">{queue_item(item, course_id)}</ol>')


def queue(course_id: str, items: list[QueueItem], more: str | None = None,
          oob: bool = False) -> str:
    """The queue's first page; `more` is where its "load more" control fetches the rest."""
    return render("forum/_queue.html", course_id=course_id, items=items, more=more, oob=oob)


def queue_more_items(course_id: str, items: list[QueueItem], more: str | None) -> str:
    """A "load more" answer: the next items, then the control for the ones after them."""
    return render("forum/_queue_page.html", course_id=course_id, items=items, more=more)


def thread_gone(thread_id: int) -> str:
    """What an open thread page shows once the thread is no longer there for its viewer
    (a reload would be a 404): no title, no posts."""
    return (f'<section id="{head_id(thread_id)}" class="thread-head gone" '
            f'hx-swap-oob="outerHTML"><p class="empty-note">This thread is no longer '
            f'available.</p></section><div id="{posts_id(thread_id)}" class="thread-posts" '
            f'hx-swap-oob="outerHTML"></div>')


def score(post_id: int, value: int) -> str:
    return f'<span id="post-{post_id}-score" class="score" hx-swap-oob="outerHTML">{value}</span>'


def row_score(thread_id: int, value: int) -> str:
    """The opening post's score on the thread's list rows (all/topic lists and "My posts")."""
    return "".join(f'<span id="{thread_row_id(thread_id, scope)}-score" class="row-score" '
                   f'hx-swap-oob="outerHTML">{value}</span>' for scope in ("all", "mine"))


def my_votes(thread_id: int, post_ids: Sequence[int], oob: bool = False) -> str:
    """One viewer's "you voted" marks on a thread page: a per-person element of its own,
    so the shared frames that re-render posts never touch it."""
    return render("forum/_my_votes.html", thread_id=thread_id, post_ids=list(post_ids),
                  oob=oob)


def notice(text: str, link: str | None = None) -> str:
    return render("forum/_notice.html", text=text, link=link)


def viewer_label(viewer: Viewer) -> str:
    return f"{viewer.audience}:{viewer.user_id or '*'}"
