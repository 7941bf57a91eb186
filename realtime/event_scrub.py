"""A person in the event log: the events about them (for their export) and their erasure.

The log keeps rendered payloads (JSON and HTML per audience) for replay and the outbox, so a
name shown in a post's byline, an author id or a `user:<id>` topic lives on in it until the
log is pruned (COURSEWIRE_EVENT_RETENTION_DAYS). Erasure cannot wait that long: the events
on the person's own topic are deleted, and every other payload is rewritten with the
tombstone in place of their id, name and email. The rewrite runs in the erasure's
transaction; a control message written in it (the one closing their sockets) is handed to
the relay from memory after the commit, as written, so the hot path still closes them.
"""

from __future__ import annotations

import html
import re
from typing import Any

from models.events import Event
from realtime.languages import RENDERED_KEY
from realtime.outbox import write_pending_events

_BATCH = 500
# Keys whose integer value names a user (payloads, control messages).
_USER_KEYS = frozenset({"user_id", "author_id", "reviewer_id", "student_id", "actor_id",
                        "target_user_id", "by_id", "claimed_by_id", "created_by_id"})


def user_topic(user_id: int) -> str:
    return f"user:{user_id}"


async def events_about(user_id: int) -> list[dict[str, Any]]:
    """The events on the person's own topic, oldest first (grades, submissions, reviews)."""
    rows = await Event.filter(topic=user_topic(user_id)).order_by("id").values(
        "id", "name", "data_by_audience", "created_at")
    return [{"seq": r["id"], "event": r["name"], "created_at": r["created_at"].isoformat(),
             "data": r["data_by_audience"]} for r in rows]


class _Rewrite:
    """Replaces one person's id, name and email in a JSON value by the tombstone's."""

    def __init__(self, user_id: int, tombstone_id: int, name: str, email: str,
                 tombstone_name: str) -> None:
        self.user_id, self.tombstone_id = user_id, tombstone_id
        # Whole words only, and never a tag's name: a person called "Em" must not turn
        # every <em> of the log into a tombstone.
        self.texts = [(re.compile(rf"(?<![\w</]){re.escape(t)}(?!\w)"), tombstone_name)
                      for t in {name, html.escape(name)} if t.strip()]
        self.texts += [(re.compile(re.escape(t), re.IGNORECASE), "")
                       for t in {email, html.escape(email)} if t]
        self.topic = (user_topic(user_id), user_topic(tombstone_id))

    def text(self, value: str) -> str:
        if value == self.topic[0]:
            return self.topic[1]
        for old, new in self.texts:
            value = old.sub(new, value)
        return value

    def value(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            names_user = value.get("id") == self.user_id and "name" in value
            return {k: (self.tombstone_id if (k == "id" and names_user)
                        else v if k == RENDERED_KEY else self.value(v, k))
                    for k, v in value.items()}
        if key in _USER_KEYS and value == self.user_id and not isinstance(value, bool):
            return self.tombstone_id
        return value


async def erase_from_events(user_id: int, tombstone_id: int, name: str, email: str,
                            tombstone_name: str) -> int:
    """Delete the person's own events and rewrite every other payload naming them; returns
    how many rows were rewritten. The events the erasure's own transaction published so far
    are written first, so they are rewritten too (their messages, kept in memory, are still
    sent as written: the control message closing the person's sockets)."""
    await write_pending_events()
    await Event.filter(topic=user_topic(user_id)).delete()
    rewrite = _Rewrite(user_id, tombstone_id, name, email, tombstone_name)
    changed, after = 0, 0
    while True:
        rows = await Event.filter(id__gt=after).order_by("id").limit(_BATCH).values(
            "id", "data_by_audience", "html_by_audience")
        if not rows:
            return changed
        for row in rows:
            data = rewrite.value(row["data_by_audience"])
            html_parts = rewrite.value(row["html_by_audience"])
            if data != row["data_by_audience"] or html_parts != row["html_by_audience"]:
                await Event.filter(id=row["id"]).update(data_by_audience=data,
                                                        html_by_audience=html_parts)
                changed += 1
        after = rows[-1]["id"]
