"""A course's forum settings: the anonymity ceiling and the moderation mode."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from core.errors import BadInput
from core.i18n import gettext as _
from courses.service import require_role
from forum.anonymity import allowed_levels, parse_anonymity
from models.courses import Role
from models.forum import (
    Anonymity,
    ForumSettings,
    ModerationAction,
    ModerationMode,
)
from models.users import User


async def forum_settings(course_id: str) -> ForumSettings:
    settings = await ForumSettings.get_or_none(course_id=course_id)
    if settings is None:
        try:
            settings = await ForumSettings.create(course_id=course_id)
        except IntegrityError:
            settings = await ForumSettings.get(course_id=course_id)
    return settings


async def update_forum_settings(actor: User, course_id: str, max_anonymity: object = None,
                                moderation: object = None) -> ForumSettings:
    """Change the course's anonymity ceiling and moderation mode (instructors).

    Past posts keep the anonymity they were written with, whatever the new ceiling.
    """
    await require_role(actor, course_id, Role.INSTRUCTOR)
    settings = await forum_settings(course_id)
    if max_anonymity not in (None, ""):
        settings.max_anonymity = parse_anonymity(max_anonymity)
    if moderation not in (None, ""):
        try:
            settings.moderation = ModerationMode(moderation)
        except ValueError:
            raise BadInput(_("Moderation must be 'pre' or 'post'."),
                           fields={"moderation": _("Choose pre or post.")}) from None
    await settings.save()
    await ModerationAction.create(
        course_id=course_id, actor_id=actor.id, action="settings",
        reason=f"max_anonymity={settings.max_anonymity.value} "
               f"moderation={settings.moderation.value}")
    return settings


async def my_anonymity_choices(course_id: str) -> tuple[Anonymity, ...]:
    """The anonymity levels a member may choose for a new post in the course."""
    return tuple(allowed_levels((await forum_settings(course_id)).max_anonymity))


async def anonymity_choices(course_id: str) -> list[Any]:
    """The anonymity levels a post form offers, for rendering frames: read only (a course
    without a settings row has the default ceiling), never creating the row."""
    settings = await ForumSettings.get_or_none(course_id=course_id)
    return allowed_levels(settings.max_anonymity if settings else Anonymity.PEERS)
