"""The consumer: turns committed events of the log (models.events) into notifications.

One durable cursor (models.notifications.NotificationCursor, row 1) says how far the log
has been read. Any process may run a round; a round
1. claims the cursor with a lease (a conditional update: free, or its lease ran out), so
   processes do not all work on the same events at once;
2. reads the events after the cursor, in seq order, and maps them (notifications.mapping);
3. in ONE transaction writes the notifications (and their mails and pushes) and moves the
   cursor with a conditional update on the seq it started from. If another process moved
   it meanwhile (a lease that ran out mid-round) the update matches nothing and the whole
   transaction rolls back: every event becomes notifications exactly once, on SQLite and
   PostgreSQL alike, and a crash loses nothing (the cursor did not move).

Seqs are allocated when a row is inserted, not when it commits, so on PostgreSQL a later
seq can be visible before an earlier one whose transaction is still open. The cursor
therefore stops before a gap, and steps over it only once the event after it is older
than `settle` (by then the gap is a rolled-back transaction's, not a slow one's).
On first start the cursor begins at the newest event: the past is not notified.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.clock import now
from models.events import Event
from models.notifications import NotificationCursor
from notifications.delivery import deliver
from notifications.mapping import drafts_for
from notifications.workers import wait_for_any
from realtime.outbox import COMMITTED, Message

log = logging.getLogger("coursewire.notifications")

CURSOR_ID = 1
BATCH = 200
LEASE = timedelta(seconds=30)
SETTLE = timedelta(seconds=10)
POLL_SECONDS = 1.0
# Rounds start at most this often in one process: each costs five or six statements
# whatever it finds, and every commit rings the doorbell, so under an exam's autosaves
# (300 commits a second) unpaced rounds doubled the database's statements and took 17% of
# an app process's CPU (bench/save_cost.py). A round takes up to BATCH events (a full one
# is followed at once): paced, a notification waits at most this much longer.
ROUND_GAP_SECONDS = 0.2


class CursorMoved(Exception):
    """Another process moved the cursor during this round: roll the round back."""


async def ensure_cursor() -> None:
    if await NotificationCursor.exists(id=CURSOR_ID):
        return
    newest = await Event.all().order_by("-id").first().values_list("id", flat=True)
    try:
        await NotificationCursor.create(id=CURSOR_ID, last_seq=newest or 0)
    except IntegrityError:
        pass  # another process made it first


def settled(last_seq: int, rows: list[dict[str, Any]], settled_before: datetime
            ) -> list[dict[str, Any]]:
    """The rows after `last_seq` the cursor may pass now: in seq order, up to the first gap
    whose next event is still younger than `settled_before`."""
    taken = []
    expected = last_seq + 1
    for row in rows:
        if row["id"] != expected and row["created_at"] > settled_before:
            break
        taken.append(row)
        expected = row["id"] + 1
    return taken


async def consume_once(public_url: str, *, lease: timedelta = LEASE,
                       settle: timedelta = SETTLE, cursor_known: bool = False) -> int | None:
    """One round; returns how many events it passed (None: another process holds it).
    `cursor_known`: the caller made sure the cursor row exists (a running consumer does
    once), so the round does not look again."""
    if not cursor_known:
        await ensure_cursor()
    moment = now()
    until = moment + lease
    free = Q(claimed_until=None) | Q(claimed_until__lt=moment)
    if not await NotificationCursor.filter(free, id=CURSOR_ID).update(claimed_until=until):
        return None
    try:
        start = (await NotificationCursor.get(id=CURSOR_ID)).last_seq
        rows = await Event.filter(id__gt=start).order_by("id").limit(BATCH).values(
            "id", "topic", "name", "data_by_audience", "created_at")
        rows = settled(start, rows, moment - settle)
        if not rows:
            return 0
        drafts = [(row["id"], await drafts_for(row)) for row in rows]
        async with in_transaction():
            moved = await NotificationCursor.filter(id=CURSOR_ID, last_seq=start).update(
                last_seq=rows[-1]["id"])
            if not moved:
                raise CursorMoved
            for seq, found in drafts:
                await deliver(found, public_url, seq)
        return len(rows)
    except CursorMoved:
        log.warning("notifications: the cursor moved under this round; it was rolled back")
        return 0
    finally:
        await NotificationCursor.filter(id=CURSOR_ID, claimed_until=until).update(
            claimed_until=None)


async def run_consumer(public_url: str, stopping: asyncio.Event,
                       poll_seconds: float = POLL_SECONDS,
                       round_gap: float = ROUND_GAP_SECONDS) -> None:
    """Consume the log until `stopping`; a failed round is logged and retried. A commit in
    this process rings the outbox's doorbell, which starts a round (at most one every
    `round_gap` seconds: the commits rung meanwhile share the next); other processes'
    events are found by polling."""
    rung = asyncio.Event()

    def ring(_messages: list[Message]) -> None:
        rung.set()

    COMMITTED.listen(ring)
    loop = asyncio.get_running_loop()
    cursor_known = False
    try:
        while not stopping.is_set():
            rung.clear()
            began = loop.time()
            try:
                if not cursor_known:
                    await ensure_cursor()
                    cursor_known = True
                passed = await consume_once(public_url, cursor_known=True)
            except Exception:
                log.exception("notifications: round failed; next try in %s s", poll_seconds)
                passed = 0
            if passed == BATCH:
                continue  # a backlog: the next batch at once
            await wait_for_any(rung, stopping, seconds=poll_seconds)
            gap = round_gap - (loop.time() - began)
            if gap > 0 and not stopping.is_set():
                await wait_for_any(stopping, seconds=gap)
    finally:
        COMMITTED.unlisten(ring)
