"""The inbox's part of a person's export and erasure: their notifications and preferences
serve only them, so erasure deletes them."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart
from models.notifications import Notification, NotificationPreference


async def export(user_id: int) -> dict[str, Any]:
    rows = await Notification.filter(user_id=user_id).order_by("id").values(
        "id", "kind", "title", "params", "link", "course_id", "created_at", "read_at")
    pref = await NotificationPreference.get_or_none(user_id=user_id)
    return {"notifications": rows, "preferences": pref.modes if pref else {}}


async def erase(erasure: Erasure) -> None:
    await Notification.filter(user_id=erasure.user_id).delete()
    await NotificationPreference.filter(user_id=erasure.user_id).delete()


PART = PersonalDataPart(export=export, erase=erase)
