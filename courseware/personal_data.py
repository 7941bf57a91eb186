"""Course content's part of a person's export and erasure: the courses whose content they
last changed, and, on erasure, every editor field naming them in the content store
(content_store.editors) pointed at the tombstone, so the studio's history shows
"Deleted user"."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart
from content_store.connect import current_store
from content_store.editors import courses_edited_by, replace_editor


async def export(user_id: int) -> dict[str, Any]:
    return {"courses_last_edited": await courses_edited_by(current_store(), user_id)}


async def erase(erasure: Erasure) -> None:
    await replace_editor(current_store(), erasure.user_id, erasure.tombstone_id)


PART = PersonalDataPart(export=export, erase=erase)
