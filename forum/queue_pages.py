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

from core.errors import PermissionDenied
from core.paging import PageRequest, next_url
from courses.groups import GroupChoice, choose_groups
from forum.access import viewer_in
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


async def staff_queue_page(user: User, course_id: str, page: PageRequest,
                           groups: tuple[str, ...] | None = None
                           ) -> tuple[list[QueueItem], tuple[int, ...] | None]:
    """One page of the course's moderation queue (TAs and instructors), only the items of
    authors in `groups` when given (courses.groups.choose_groups), and the next page's key
    (None: the last page)."""
    items = await staff_moderation_queue(user, course_id)
    return _page([i for i in items if i.in_groups(groups)], page)


async def first_queue_page(course_id: str, loaded: int = 0
                           ) -> tuple[list[QueueItem], tuple[int, ...] | None]:
    """The queue's first page as the live region shows it, or as many items as the page
    had `loaded` with "load more" if that is more (a resync)."""
    return _page(await moderation_queue(course_id, STAFF),
                 PageRequest(max(QUEUE_LIMIT, loaded)))


async def queue_groups(user: User, course_id: str, value: str | None) -> GroupChoice:
    """The queue's group filter (`?group=`: mine, all or a group's name; by default the
    viewer's groups if they are assigned any). Rights first: staff only."""
    if not (await viewer_in(user, course_id)).staff:
        raise PermissionDenied("The moderation queue is for TAs and instructors.")
    return await choose_groups(user, course_id, value)


def queue_more_url(course_id: str, after: tuple[int, ...] | None,
                   group: str | None = None) -> str | None:
    """Where the queue page's "load more" fetches the items after `after` (None: all
    shown), under the page's group filter."""
    url = URL(f"/courses/{course_id}/forum/moderation/more")
    return next_url(url.include_query_params(group=group) if group else url, after)
