"""Replay (`since`): the events a client missed, as what it may see *now*.

The event log keeps each event as rendered when it happened. Before one is replayed it is
checked again: the audience is the one the subscriber was authorized as on this subscribe
(its current rights), and the domain that published it may re-check the item's current
state (a `ReplayCheck` its install() registered): a post deleted or hidden since is not replayed, an
edited one is replayed as it reads now. So a student enrolled today never receives the text
of a post moderators removed last week.

The log is pruned after COURSEWIRE_EVENT_RETENTION_DAYS (realtime/relay.py): a `since`
older than what is kept gets `resync.required` instead of a partial replay, as does a gap
longer than REPLAY_LIMIT events; the client then refetches its state.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from core.context import RuntimeValue
from models.events import Event
from models.users import User
from realtime.publish import for_audience, json_frame
from realtime.relay import pruned_through

log = logging.getLogger("coursewire.replay")

REPLAY_LIMIT = 1000

# (event name, the data logged for this audience, subscriber, audience, a cache the check may
# use for the length of one replay) -> the data to replay, or None to leave the event out.
ReplayCheck = Callable[[str, Any, User, str, dict[Any, Any]], Awaitable[Any]]


class ReplayChecks:
    """Checks per event-name prefix; a domain's install() registers its own."""

    def __init__(self) -> None:
        self._checks: dict[str, ReplayCheck] = {}

    def register(self, event_prefix: str, check: ReplayCheck) -> None:
        """Re-check events whose name starts with `event_prefix` before they are replayed."""
        self._checks[event_prefix] = check

    def for_event(self, name: str) -> ReplayCheck | None:
        best = max((p for p in self._checks if name.startswith(p)), key=len, default=None)
        return self._checks[best] if best is not None else None


# No default: a replay without the domains' checks could hand out deleted posts.
REPLAY_CHECKS: RuntimeValue[ReplayChecks] = RuntimeValue("replay checks")


def _check_for(name: str) -> ReplayCheck | None:
    return REPLAY_CHECKS.get().for_event(name)


def resync_frame(reason: str, **data: Any) -> str:
    return json.dumps({"event": "resync.required", "data": {"reason": reason, **data}})


async def too_old(since: int) -> int | None:
    """The first retained seq when events after `since` may have been pruned, else None."""
    through = await pruned_through()
    return through + 1 if since < through else None


async def replay_frames(user: User, audiences: dict[str, str], since: int
                        ) -> tuple[list[str], int]:
    """The frames to send for events after `since` on the topics in `audiences` (topic ->
    audience), and the last seq they cover."""
    first_kept = await too_old(since)
    if first_kept is not None:
        return [resync_frame("pruned", retained_from_seq=first_kept)], since
    rows = await Event.filter(topic__in=list(audiences), id__gt=since
                              ).order_by("id").limit(REPLAY_LIMIT)
    frames: list[str] = []
    cache: dict[Any, Any] = {}
    last = since
    for row in rows:
        last = row.id
        data = for_audience(row.data_by_audience, audiences[row.topic])
        check = _check_for(row.name)
        if data is not None and check is not None:
            try:
                data = await check(row.name, data, user, audiences[row.topic], cache)
            except Exception:  # when in doubt, leave it out: the client can refetch
                log.exception("replay: re-checking %s (seq %d) failed; left out", row.name,
                              row.id)
                data = None
        if data is not None:
            frames.append(json_frame(row.topic, row.name, row.id, data))
    if len(rows) == REPLAY_LIMIT:
        frames.append(resync_frame("replay_limit", after_seq=last))
    return frames, last
