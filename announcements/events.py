"""The announcement events: one definition each of topic, audiences and template."""

from __future__ import annotations

from typing import Any, TypedDict

from announcements.queries import recent_announcements
from core.event_types import EventType
from core.templating import render
from models.announcements import Announcement
from realtime.publish import in_every_language, publish
from realtime.topics import Topic


class AnnouncementData(TypedDict):
    id: int
    course_id: str
    title: str
    body_html: str
    created_at: str  # ISO 8601


ANNOUNCEMENT_CREATED = EventType(
    "announcement.created", "A course announcement was posted; every member sees the same.",
    AnnouncementData, ("course:<id>",))
EVENT_TYPES = (ANNOUNCEMENT_CREATED,)


def announcement_json(a: Announcement) -> AnnouncementData:
    return {"id": a.id, "course_id": a.course_id, "title": a.title, "body_html": a.body_html,
            "created_at": a.created_at.isoformat()}


async def announcement_created(a: Announcement) -> None:
    """`announcement.created` on `course:<id>`; every member sees the same thing."""
    html = in_every_language(lambda: {"*": render(
        "announcements/_live_item.html", announcement=a, course_id=a.course_id)})
    await publish(f"course:{a.course_id}", ANNOUNCEMENT_CREATED.name,
                  {"*": announcement_json(a)}, html)


async def _resync_announcements(topic: Topic, _user: Any, _audience: str) -> str:
    items = await recent_announcements(topic.key)
    return render("announcements/_list.html", announcements=items, course_id=topic.key,
                  oob=True)
