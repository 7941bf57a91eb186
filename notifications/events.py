"""The inbox's events, on the recipient's own topic `user:<id>` (self):

- `notification.created`: a new notification; the bell's count and, where the inbox is
  open, the new item at the top of its list.
- `notification.read`: notifications were marked read (here or in another tab); the bell
  and those items.
Resync: the `user` topic re-renders the bell, so a page that reconnects shows the count the
database holds (the inbox list itself is re-sent by the page's `inbox` topic).
"""

from __future__ import annotations

from typing import Any, TypedDict

from core.event_types import EventType
from core.templating import render
from models.notifications import Notification
from models.users import User
from notifications.texts import english_title
from realtime.publish import in_every_language, publish
from realtime.topics import Topic


class CreatedPayload(TypedDict):
    id: int
    kind: str
    title: str  # English; the pushed HTML is in the page's language
    params: dict[str, Any]  # what the title says (notifications.texts)
    link: str
    course_id: str | None
    created_at: str
    unread: int  # the recipient's unread count after it


class ReadPayload(TypedDict):
    ids: list[int]
    unread: int


CREATED = EventType("notification.created", "A new notification in the reader's inbox, "
                    "with their unread count.", CreatedPayload, ("user:me",))
READ = EventType("notification.read", "Notifications were marked read (in any tab or "
                 "through the API), with the reader's unread count.", ReadPayload, ("user:me",))
EVENT_TYPES = (CREATED, READ)


async def _count(user_id: int) -> int:
    return await Notification.filter(user_id=user_id, read_at=None).count()


def bell_html(unread: int, *, oob: bool) -> str:
    return render("notifications/_bell.html", unread=unread, oob=oob)


async def notification_created(n: Notification) -> None:
    unread = await _count(n.user_id)
    # Every language: the recipient may have pages open in another one than their setting.
    html = in_every_language(lambda: {"self": bell_html(unread, oob=True) + render(
        "notifications/_new_item.html", n=n)})
    # The JSON `title` is English (as a frame's data is for every socket); `params` lets a
    # client render it itself.
    await publish(f"user:{n.user_id}", CREATED.name, {"self": {
        "id": n.id, "kind": n.kind, "title": english_title(n.kind, n.params) or n.title,
        "params": n.params or {}, "link": n.link, "course_id": n.course_id,
        "created_at": n.created_at.isoformat(), "unread": unread}}, html)


async def notifications_read(user_id: int, read: list[Notification]) -> None:
    unread = await _count(user_id)
    html = in_every_language(lambda: {"self": bell_html(unread, oob=True) + "".join(
        render("notifications/_item.html", n=n, oob=True) for n in read[:INBOX_SHOWN])})
    await publish(f"user:{user_id}", READ.name, {"self": {"ids": [n.id for n in read],
                                                          "unread": unread}}, html)


INBOX_SHOWN = 100  # the most items a page of the inbox shows


async def _resync_bell(_topic: Topic, user: User, _audience: str) -> str:
    return bell_html(await _count(user.id), oob=True)
