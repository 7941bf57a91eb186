"""Whether a student's attempt page is open (issue 14: the proctor page's connection
state, "page open" or "page closed").

realtime.presence tells this module, per app process and in batches, which attempts' pages
(`quiz-attempt:<id>` as `self`: the student's own, on any device) gained their first socket
on that process and which lost their last one (`pages_changed`), and renews the
process's lease on those still open every realtime.presence.RENEW_SECONDS (`renew`).
Each process's share is an AttemptConnection row; the attempt's AttemptHold keeps the
sum, `connected`: whether any row is fresh. Set in the same transaction as the rows
change, with the holds locked in attempt order, so two processes changing one attempt at
once end with what both rows say; a change publishes the proctor row (quiz.progress).

A process killed without a word leaves its rows: the sweep (`run_presence_sweep`, on every
process) deletes rows not renewed for STALE_SECONDS and settles their attempts, so the
proctor page says "page closed" about two minutes after such a page went away, unless it
reconnected to another process meanwhile (the usual case: pages reconnect within seconds).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import timedelta

from tortoise.transactions import in_transaction

from core import clock
from core.ids import parse_id
from models.quiz_integrity import AttemptConnection, AttemptHold
from models.quizzes import QuizAttempt
from quizzes import events
from quizzes.attempt_page import SELF
from realtime.presence import PresenceWatch

log = logging.getLogger("coursewire.quizzes")

STALE_SECONDS = 120.0  # four missed renewals: the process is gone (or frozen that long)
SWEEP_SECONDS = 30.0
CHUNK = 500  # attempts per statement


def _ids(keys: Iterable[str]) -> list[int]:
    return sorted({i for i in map(parse_id, keys) if i is not None})


async def pages_changed(process: str, arrived: set[str], gone: set[str]) -> None:
    """`process` now holds a page socket of each attempt in `arrived` and none of `gone`."""
    came, went = _ids(arrived), _ids(gone)
    for at in range(0, max(len(came), len(went)), CHUNK):
        await _change(process, came[at:at + CHUNK], went[at:at + CHUNK])


async def _change(process: str, came: list[int], went: list[int]) -> None:
    now = clock.now()
    async with in_transaction():
        # Only attempts that still exist (one may have been erased since its page opened).
        existing = await QuizAttempt.filter(id__in=came).values_list("id", flat=True)
        if existing:
            await AttemptConnection.bulk_create(
                [AttemptConnection(attempt_id=i, process=process, seen_at=now)
                 for i in existing],
                on_conflict=("attempt_id", "process"), update_fields=("seen_at",))
        if went:
            await AttemptConnection.filter(process=process, attempt_id__in=went).delete()
        await _settle([*existing, *went])


async def renew(process: str, keys: set[str]) -> None:
    """Keep `process`'s rows fresh; rows the sweep took meanwhile (the process was frozen
    longer than STALE_SECONDS) are written again."""
    ids = _ids(keys)
    renewed = await AttemptConnection.filter(process=process).update(seen_at=clock.now())
    if renewed < len(ids):
        await pages_changed(process, set(map(str, ids)), set())


async def sweep_stale() -> int:
    """Delete the rows of processes that stopped renewing; settle their attempts. Returns
    how many rows went."""
    cutoff = clock.now() - timedelta(seconds=STALE_SECONDS)
    rows = await AttemptConnection.filter(seen_at__lt=cutoff).values_list("id", "attempt_id")
    for at in range(0, len(rows), CHUNK):
        chunk = rows[at:at + CHUNK]
        async with in_transaction():
            await AttemptConnection.filter(id__in=[r for r, _ in chunk],
                                           seen_at__lt=cutoff).delete()
            await _settle(sorted({a for _, a in chunk}))
    return len(rows)


async def run_presence_sweep() -> None:
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        try:
            swept = await sweep_stale()
            if swept:
                log.info("presence: %s connections of stopped processes swept", swept)
        except Exception:
            log.exception("presence: the sweep failed; it runs again")


async def _settle(attempt_ids: list[int]) -> None:
    """Each hold's `connected` as the fresh rows say; publish the rows that changed. Call
    inside the transaction that changed the rows."""
    if not attempt_ids:
        return
    ids = sorted(set(attempt_ids))
    # Locked in one order, so a second process settling the same attempts waits and then
    # reads the rows this transaction wrote.
    holds = await AttemptHold.filter(attempt_id__in=ids).select_for_update().order_by(
        "attempt_id")
    fresh = clock.now() - timedelta(seconds=STALE_SECONDS)
    live = set(await AttemptConnection.filter(attempt_id__in=ids, seen_at__gte=fresh
                                              ).values_list("attempt_id", flat=True))
    changed = [h for h in holds if h.connected != (h.attempt_id in live)]
    if not changed:
        return
    for state in (True, False):
        flip = [h.id for h in changed if (h.attempt_id in live) is state]
        if flip:
            await AttemptHold.filter(id__in=flip).update(connected=state)
    by_attempt = {h.attempt_id: h for h in changed}
    for attempt in await QuizAttempt.filter(id__in=list(by_attempt)).prefetch_related("user"):
        hold = by_attempt[attempt.id]
        hold.connected = attempt.id in live
        await events.progress_changed(attempt, attempt.user.name, hold)


ATTEMPT_PAGES = PresenceWatch(SELF, pages_changed, renew)
