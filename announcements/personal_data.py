"""Announcements' part of a person's export and erasure: the ones they wrote stay in their
courses, signed by the tombstone."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart, move_rows
from models.announcements import Announcement


async def export(user_id: int) -> list[dict[str, Any]]:
    return await Announcement.filter(author_id=user_id).order_by("id").values(
        "id", "course_id", "title", "body_md", "created_at")


async def erase(erasure: Erasure) -> None:
    await move_rows(erasure, Announcement, "author_id")


PART = PersonalDataPart(export=export, erase=erase)
