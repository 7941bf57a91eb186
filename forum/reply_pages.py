"""A thread's replies one keyset page at a time (API.md "Lists"): the API's pages and the
thread page's "load more".

The order is the thread page's own (forum.queries.order_key: when a reply was published,
then its id). A page's key names its last reply only (its exact time could reveal an
anonymous author's timing), and the next page starts right after that reply's place in
the order now, so replies posted meanwhile come on a later page, never twice. A held
reply approved meanwhile moves to the end (as on the page), where the pages reach it.

On the thread page the replies after the first page wait behind a "load more" control;
the last page ends with a marker (`end_id`) and a live new reply is inserted before it,
so it lands only on a page that shows the end of the thread, never among replies not
loaded yet (fragments.upsert_reply).
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import URL

from core.errors import BadInput
from core.i18n import gettext as _
from core.ids import MAX_ID
from core.paging import next_url
from forum.presenters import PostView, post_json
from forum.queries import open_thread_page, order_key
from models.forum import Post
from models.users import User

REPLIES_LIMIT, REPLIES_MAX = 50, 100  # replies per page: default (and the page's) and maximum


def end_id(thread_id: int) -> str:
    """The marker after a thread's last reply, there once the page shows the end."""
    return f"thread-{thread_id}-end"


def flat_posts(replies: list[PostView]) -> list[dict[str, Any]]:
    """Replies each followed by its comments, as JSON, leaving out hidden posts' empty
    slots (a student's view keeps no trace of them)."""
    flat: list[dict[str, Any]] = []
    for reply in replies:
        if reply.placeholder:
            continue
        flat.append(post_json(reply))
        flat.extend(post_json(c) for c in reply.comments if not c.placeholder)
    return flat


def replies_after(replies: list[PostView], posts: list[Post], limit: int, after: int | None
                  ) -> tuple[list[PostView], tuple[int, ...] | None]:
    """The `limit` replies after the reply `after` (None: the first ones) of a thread page
    built from `posts`, and the next page's key (None: the last page)."""
    if after is not None:
        last = next((p for p in posts if p.id == after and p.depth == 1), None) \
            if after <= MAX_ID else None
        if last is None:
            raise BadInput(_("after must be a reply of this thread that a previous page's "
                             "next link gave."), fields={"after": _("Not a reply of this thread.")})
        orders = {p.id: order_key(p) for p in posts}
        replies = [r for r in replies if orders[r.id] > order_key(last)]
    shown = replies[:limit]
    return shown, (shown[-1].id,) if len(replies) > limit else None


def more_url(thread_id: int, after: tuple[int, ...] | None) -> str | None:
    """Where the thread page's "load more" fetches the replies after `after`."""
    return next_url(URL(f"/forum/threads/{thread_id}/replies"), after)


def first_replies(thread_id: int, replies: list[PostView], loaded: int = 0
                  ) -> tuple[list[PostView], str | None]:
    """The thread page's first replies (a resync: as many as the page had `loaded`, if
    more), and where "load more" fetches the rest (None: all shown). The page and its
    resync both start here, so they agree."""
    shown, after = replies_after(replies, [], max(REPLIES_LIMIT, loaded), None)
    return shown, more_url(thread_id, after)


async def reply_page(user: User, thread_id: object, limit: int, after: int | None
                     ) -> tuple[list[PostView], tuple[int, ...] | None]:
    """One page of the replies `user` may read in a thread (with their comments), and
    the next page's key (None: the last page)."""
    page, _viewer, posts = await open_thread_page(user, thread_id)
    return replies_after([r for r in page.replies if not r.placeholder], posts, limit, after)
