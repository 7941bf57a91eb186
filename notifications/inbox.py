"""A person's inbox: list, count, mark read. Every change is pushed to their own topic
(notifications.events) so each open page's bell and inbox follow."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import NotFound
from core.i18n import gettext as _
from core.ids import parse_id
from core.paging import PageRequest
from models.notifications import Notification
from notifications import events
from notifications.texts import title

INBOX_PAGE = 20
INBOX_MAX = 100


async def unread_count(user_id: int) -> int:
    return await Notification.filter(user_id=user_id, read_at=None).count()


async def inbox_page(user_id: int, request: PageRequest
                     ) -> tuple[list[Notification], tuple[int, ...] | None]:
    """Newest first, `request.limit` at a time; the key of the last one when more remain."""
    query = Notification.filter(user_id=user_id)
    after = request.key(1)
    if after is not None:
        query = query.filter(id__lt=after[0])
    rows = await query.order_by("-id").limit(request.limit + 1)
    more = len(rows) > request.limit
    rows = rows[:request.limit]
    return rows, ((rows[-1].id,) if more and rows else None)


async def _own(user_id: int, notification_id: object) -> Notification:
    nid = parse_id(notification_id)
    found = await Notification.get_or_none(id=nid, user_id=user_id) if nid else None
    if found is None:
        raise NotFound(_("No such notification in your inbox."))
    return found


async def mark_read(user_id: int, notification_id: object) -> Notification:
    """Mark one of the user's notifications read (again is fine)."""
    notification = await _own(user_id, notification_id)
    if notification.read_at is None:
        async with in_transaction():
            changed = await Notification.filter(id=notification.id, read_at=None).update(
                read_at=now(), digest_pending=False)
            if changed:
                await notification.refresh_from_db()
                await events.notifications_read(user_id, [notification])
    return notification


async def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    async with in_transaction():
        unread = await Notification.filter(user_id=user_id, read_at=None).order_by("-id")
        if not unread:
            return 0
        moment = now()
        await Notification.filter(id__in=[n.id for n in unread], read_at=None).update(
            read_at=moment, digest_pending=False)
        for n in unread:
            n.read_at = moment
        await events.notifications_read(user_id, unread)
    return len(unread)


def notification_json(n: Notification) -> dict[str, Any]:
    """The API's view of one notification, its title in the current language."""
    return {"id": n.id, "kind": n.kind, "title": title(n), "params": n.params or {},
            "body": n.body, "link": n.link,
            "course_id": n.course_id, "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None}
