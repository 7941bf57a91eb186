"""The forum's thread list for API clients, one keyset page at a time (API.md "Lists").

The order is the pages' own (pinned first, then newest activity, then newest id), and a
page's key is its last thread: the next page starts right after that thread's place in
the order (new threads go above it). A thread bumped by new activity meanwhile moves up,
so it may be seen twice or, if bumped from a later page, on the first page instead.
Threads not listed for the viewer are skipped exactly as
forum.queries does for the pages.
"""

from __future__ import annotations

from tortoise.expressions import Q

from core.errors import BadInput
from core.i18n import gettext as _
from core.ids import MAX_ID
from core.paging import PageRequest, bad_after
from forum.anonymity import Viewer
from forum.presenters import ThreadView
from forum.queries import present_listed, thread_query
from models.forum import Thread

THREADS_LIMIT, THREADS_MAX = 50, 100  # threads per API page: default and maximum


async def _after(course_id: str, thread_id: int) -> Q:
    """Threads after `thread_id` in the list's order, by its place there now. (The key
    names only the thread: its exact activity time could reveal an anonymous author's
    timing, which the pages blur.)"""
    if thread_id > MAX_ID:
        raise bad_after()
    last = await Thread.get_or_none(id=thread_id, course_id=course_id)
    if last is None:
        raise BadInput(_("That page's last thread is gone; start again from the first page."),
                       fields={"after": _("Unknown thread.")})
    at = last.last_activity_at
    same_pin = Q(last_activity_at__lt=at) | Q(last_activity_at=at, id__lt=last.id)
    if last.pinned:
        return Q(pinned=False) | Q(Q(pinned=True) & same_pin)
    return Q(pinned=False) & same_pin


async def thread_page(course_id: str, viewer: Viewer, page: PageRequest, *,
                      topic_key: str | None = None, mine: bool = False
                      ) -> tuple[list[ThreadView], tuple[int, ...] | None]:
    """One page of the threads `viewer` may see, and the next page's key (None: last)."""
    query = thread_query(course_id, viewer, topic_key=topic_key, mine=mine)
    key = page.key(1)
    after = await _after(course_id, key[0]) if key else None
    shown: list[ThreadView] = []
    while len(shown) <= page.limit:
        batch = await (query.filter(after) if after is not None else query).order_by(
            "-pinned", "-last_activity_at", "-id").limit(page.limit + 1)
        if not batch:
            break
        shown += await present_listed(batch, viewer, mine=mine)
        after = await _after(course_id, batch[-1].id)  # listed for the viewer or not
        if len(batch) <= page.limit:
            break
    more = len(shown) > page.limit
    return shown[:page.limit], (shown[page.limit - 1].id,) if more else None
