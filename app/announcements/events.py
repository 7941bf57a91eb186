"""The announcement events: one definition each of topic, audiences and template."""

from __future__ import annotations

from typing import Any

from app.templating import render
from models.announcements import Announcement
from realtime.publish import publish
from realtime.resync import register_resync
from realtime.topics import Topic


def announcement_json(a: Announcement) -> dict[str, Any]:
    return {"id": a.id, "course_id": a.course_id, "title": a.title, "body_html": a.body_html,
            "created_at": a.created_at.isoformat()}


async def announcement_created(a: Announcement) -> None:
    """`announcement.created` on `course:<id>`; every member sees the same thing."""
    html = render("announcements/_live_item.html", announcement=a, course_id=a.course_id)
    await publish(f"course:{a.course_id}", "announcement.created",
                  {"*": announcement_json(a)}, {"*": html})


async def _resync_announcements(topic: Topic, _user: Any, _audience: str) -> str:
    from app.announcements.service import recent_announcements

    items = await recent_announcements(topic.key)
    return render("announcements/_list.html", announcements=items, course_id=topic.key,
                  oob=True)


register_resync("course", _resync_announcements)
