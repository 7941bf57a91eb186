"""The moderation queue one keyset page at a time (API.md "Lists"), for the API and the
queue page's "load more".

The queue's order is newest first by when an item last needed attention (a new report or
held edit moves it up), then by post id. A page's key is its last item's place in that
order, (queued_at in microseconds, post id): the next page holds the items below it. An
item that arrives, or moves up (reported again) meanwhile, sorts above every key already
given, so it never pushes an item into a page already read and is never listed twice; a
reader finds it on a fresh first page (the live queue puts it at the top at once).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.datastructures import URL

from core.paging import PageRequest, next_url
from forum.anonymity import STAFF
from forum.queries import QueueItem, moderation_queue, staff_moderation_queue
from models.users import User

QUEUE_LIMIT, QUEUE_MAX = 50, 100  # queue items per page: default and maximum
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def queue_key(item: QueueItem) -> tuple[int, int]:
    """An item's place in the queue's order, as a page key."""
    queued = item.queued_at if item.queued_at.tzinfo else item.queued_at.replace(tzinfo=UTC)
    return (queued - _EPOCH) // timedelta(microseconds=1), item.post.id


def _page(items: list[QueueItem], page: PageRequest
          ) -> tuple[list[QueueItem], tuple[int, ...] | None]:
    key = page.key(2)
    if key is not None:
        items = [i for i in items if queue_key(i) < key]
    shown = items[:page.limit]
    return shown, queue_key(shown[-1]) if len(items) > page.limit else None


async def staff_queue_page(user: User, course_id: str, page: PageRequest
                           ) -> tuple[list[QueueItem], tuple[int, ...] | None]:
    """One page of the course's moderation queue (TAs and instructors) and the next
    page's key (None: the last page)."""
    return _page(await staff_moderation_queue(user, course_id), page)


async def first_queue_page(course_id: str, loaded: int = 0
                           ) -> tuple[list[QueueItem], tuple[int, ...] | None]:
    """The queue's first page as the live region shows it, or as many items as the page
    had `loaded` with "load more" if that is more (a resync)."""
    return _page(await moderation_queue(course_id, STAFF),
                 PageRequest(max(QUEUE_LIMIT, loaded)))


def queue_more_url(course_id: str, after: tuple[int, ...] | None) -> str | None:
    """Where the queue page's "load more" fetches the items after `after` (None: all
    shown)."""
    return next_url(URL(f"/courses/{course_id}/forum/moderation/more"), after)
