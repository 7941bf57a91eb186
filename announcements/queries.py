"""Reading announcements: the newest first, as pages and live fragments both list them."""

from __future__ import annotations

from models.announcements import Announcement

LIVE_LIMIT = 10  # how many announcements a live list shows (pages and fragments agree)


async def recent_announcements(course_id: str,
                               limit: int | None = LIVE_LIMIT) -> list[Announcement]:
    query = Announcement.filter(course_id=course_id).order_by("-created_at", "-id")
    if limit is not None:
        query = query.limit(limit)
    return await query
