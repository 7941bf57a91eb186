"""The demo course's calendar, kept relative to the day it is seeded.

The demo folder (content_store/demo_course) is an ordinary course folder with ordinary
dates, written as if today were `FOLDER_TODAY`. Seeding moves every date of the course
(each block's datetime fields: course start, chapter releases, due dates) by the same
whole number of days, so that day becomes the seeding day: the quiz is two days late and
the rest is due in 2 to 5 weeks, on any date. The folder itself never changes, so it
imports and exports like any course folder written by hand.

How far the draft has already been moved is read back from the course's `start`, so
seeding again on a later day moves the dates by the days since (one new version), and on
the same day changes nothing. Edits made in the browser stay: only dates move.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from content_store import DRAFT, folder_io
from content_store.blocks import block_type
from content_store.editor import CourseEditor

FOLDER_TODAY = date(2026, 1, 28)


def days_to_move(today: date) -> int:
    """How many days the folder's dates move so that FOLDER_TODAY falls on `today`."""
    return (today - FOLDER_TODAY).days


def folder_start(folder: Path) -> datetime | None:
    """The course start written in the folder's course.yaml."""
    doc = folder_io.parse_yaml("course.yaml", (folder / "course.yaml").read_text("utf-8"))
    return _as_datetime(doc.data.get("start"))


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def days_moved(store: Any, course_id: str, folder: Path) -> int | None:
    """How many days the draft's dates are already moved from the folder's (by comparing
    course starts); None if the course has no start to tell by."""
    written = folder_start(folder)
    current = _as_datetime((await store.get_block(course_id, "course", DRAFT)).fields.get("start"))
    if written is None or current is None:
        return None
    return round((current - written) / timedelta(days=1))


async def move_dates(editor: CourseEditor, days: int) -> int:
    """Move every datetime field of every block in the draft by `days`; how many moved."""
    moved = 0
    for key in editor.subtree(editor.base.root):
        kind = block_type(key.type)
        fields = await editor.fields(key)
        changes = {}
        for field in kind.fields:
            when = _as_datetime(fields.get(field.name)) if field.kind == "datetime" else None
            if when is not None:
                changes[field.name] = (when + timedelta(days=days)).isoformat()
        if changes:
            await editor.update_block(key, changes)
            moved += len(changes)
    return moved
