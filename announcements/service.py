"""Course announcements: instructors post, every member's open page shows it live."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from announcements import events
from announcements.queries import LIVE_LIMIT, recent_announcements
from core.errors import BadInput
from core.i18n import gettext as _
from core.markdown import render_markdown
from courses.service import require_role
from models.announcements import Announcement
from models.courses import Role
from models.users import User

MAX_TITLE = 200
MAX_BODY = 20_000


async def post_announcement(author: User, course_id: str, title: object,
                            body: object) -> Announcement:
    """Store an announcement and push it to every open page of the course."""
    await require_role(author, course_id, Role.INSTRUCTOR)
    errors: dict[str, str] = {}
    if not isinstance(title, str) or not title.strip():
        errors["title"] = _("Enter a title.")
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = _("Use at most %(max)d characters.", max=MAX_TITLE)
    if not isinstance(body, str) or not body.strip():
        errors["body"] = _("Write the announcement.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("Use at most %(max)d characters.", max=MAX_BODY)
    if errors:
        raise BadInput(_("Please correct the highlighted fields."), fields=errors)
    assert isinstance(title, str) and isinstance(body, str)
    # One transaction: the announcement and its event (the outbox) commit together.
    async with in_transaction():
        announcement = await Announcement.create(
            course_id=course_id, author_id=author.id, title=title.strip(), body_md=body,
            body_html=render_markdown(body),
        )
        await events.announcement_created(announcement)
    return announcement


async def list_announcements(viewer: User, course_id: str,
                             limit: int | None = LIVE_LIMIT) -> list[Announcement]:
    await require_role(viewer, course_id, Role.STUDENT)
    return await recent_announcements(course_id, limit)
