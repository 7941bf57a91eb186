"""Live = reload for the inbox: a notification arriving on an open inbox, and one marked read
(from another tab) on it."""

from __future__ import annotations

import asyncio

from models.events import Event
from models.notifications import Notification
from tests.support.live_reload import covers, verify_action


async def _pushed(user_id: int, name: str, after: int) -> None:
    """Wait for the app's consumer (a background worker) to have logged the push."""
    for _ in range(200):
        if await Event.filter(id__gt=after, topic=f"user:{user_id}", name=name).exists():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {name} for user {user_id}")


@covers("notification.created", "notification.read")
async def test_a_notification_arrives_and_is_marked_read(cast):
    ada = cast.ada
    pages = {ada: ["/inbox"], cast.bob: ["/inbox"]}

    async def announce():
        start = await Event.all().order_by("-id").first().values_list("id", flat=True)
        r = await cast.teacher.client.post(f"/courses/{cast.course_id}/announcements",
                                           data={"title": "Quiz on Monday", "body": "x"})
        assert r.status_code == 200, r.text
        await _pushed(ada.user.id, "notification.created", start)
        await _pushed(cast.bob.user.id, "notification.created", start)

    frames = await verify_action(cast.hub, pages, announce)
    assert any("Quiz on Monday" in f for f in frames["ada /inbox"])
    n = await Notification.get(user_id=ada.user.id)

    async def mark_read():
        r = await ada.client.post(f"/inbox/{n.id}/read")
        assert r.status_code == 204, r.text

    frames = await verify_action(cast.hub, {ada: ["/inbox"]}, mark_read)
    assert frames["ada /inbox"]
