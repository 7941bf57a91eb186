"""The relay: sends committed events from the outbox to the channel layer.

Each process that publishes runs one (the Runtime, the grading worker, CLI commands).
Hot path: the doorbell (realtime/outbox.py) hands it each event as its transaction commits,
and it sends at once, in commit order; it marks the rows sent in one update for all it sent
in the next `MARK_SECONDS`.
Sweep: every `sweep_seconds` it claims unsent rows older than `grace_seconds` (their writer
died between commit and send, or the channel layer refused them) with a lease, so two
processes never sweep the same row, sends them in seq order and marks them sent. While the
channel layer fails, the hot path stands aside and the sweep retries until it takes the
events: an outage delays frames, it fails no write.

An event may still be sent twice (a writer that sent and died before marking, or whose send
outlasted the grace while another process swept it). Hubs drop a seq they have just
delivered (realtime/hub.py), and `/api/v1/events` clients should ignore a seq they applied.

It also prunes the event log past `retention_days` (any process may: a delete of old rows
is safe to run twice), recording how far it went so replay can ask for a resync.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from channels.layers import BaseChannelLayer
from tortoise.expressions import Q

from core.clock import now
from models.events import Event, PrunedEvents
from realtime.layer import PIPELINE_MESSAGES, Send, group_name, send_many
from realtime.outbox import COMMITTED, CONTROL_TOPIC, Message, late
from realtime.rights import CONTROL_GROUP, CONTROL_TYPE

log = logging.getLogger("coursewire.relay")

SWEEP_BATCH = 200
# The hot path marks what it sent at most this often, in one update for every batch sent
# meanwhile: one update per commit was a statement on every autosave (bench/save_cost.py).
# Far inside the sweep's grace, so the sweep does not send these again; a process that
# dies before marking has its events sent twice, which hubs drop (see above).
MARK_SECONDS = 0.1
MARK_CHUNK = 500  # ids per update (SQLite's bound parameters)


class Relay:
    def __init__(self, layer: BaseChannelLayer, *, sweep_seconds: float = 1.0,
                 grace_seconds: float = 5.0, lease_seconds: float = 30.0,
                 send_timeout: float = 5.0, retention_days: float = 7.0,
                 prune_seconds: float = 3600.0) -> None:
        self.layer = layer
        self.sweep_seconds = sweep_seconds
        self.grace = timedelta(seconds=grace_seconds)
        self.lease = timedelta(seconds=lease_seconds)
        self.send_timeout = send_timeout
        self.retention = timedelta(days=retention_days)
        self.prune_seconds = prune_seconds
        self._queue: asyncio.Queue[list[Message]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._unmarked: list[int] = []  # sent by the hot path, not yet marked sent
        self._mark_scheduled = False  # a marking task is asleep: what is sent now joins it
        self._markings: set[asyncio.Task[None]] = set()  # asleep or marking: stop() waits
        self._stopping = False  # stop() marks what is left itself, while it can
        self.layer_down = False
        self.sent = 0  # events this relay handed to the channel layer
        self.swept = 0  # of those, events the sweep found unsent

    async def start(self) -> None:
        COMMITTED.listen(self._committed)
        self._tasks = [asyncio.create_task(self._send_committed(), name="relay"),
                       asyncio.create_task(self._sweep_forever(), name="relay-sweep")]

    async def stop(self, flush_seconds: float = 2.0) -> None:
        """Stop; first send what this process committed (bounded by `flush_seconds`)."""
        COMMITTED.unlisten(self._committed)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(flush_seconds):
                await self._queue.join()
        # A send cancelled below still records what it sent, for the last mark here: no
        # marking may outlive the relay (its database may be closed next).
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        # Asleep for at most MARK_SECONDS, or marking: none may outlive the relay. Bounded:
        # a database that does not answer must not hold up the shutdown (what is left
        # unmarked is sent again by the next sweep, and hubs drop the repeats).
        try:
            async with asyncio.timeout(flush_seconds):
                await asyncio.gather(*self._markings, return_exceptions=True)
                await self.mark_sent()
        except TimeoutError:
            log.warning("relay: marking sent events took over %s s at shutdown; the next "
                        "sweep sends them again", flush_seconds)
            for task in self._markings:
                task.cancel()
            await asyncio.gather(*self._markings, return_exceptions=True)

    def _committed(self, messages: list[Message]) -> None:
        if messages:
            self._queue.put_nowait(list(messages))

    async def _send(self, message: Message) -> None:
        async with asyncio.timeout(self.send_timeout):
            await self.layer.group_send(*_group_and_payload(message))

    async def _send_committed(self) -> None:
        while True:
            batches = [await self._queue.get()]
            while not self._queue.empty():
                batches.append(self._queue.get_nowait())
            try:
                await self._send_batch([m for batch in batches for m in batch])
            except Exception:
                log.exception("relay: sending events failed; the sweep sends them again")
            finally:
                for _ in batches:
                    self._queue.task_done()

    async def _send_batch(self, messages: list[Message]) -> None:
        """To the layer PIPELINE_MESSAGES at a time (Redis: two pipelined round trips
        each). From a chunk that fails on, none is marked sent: the sweep sends them
        again, in order, and hubs drop what they already had."""
        sent: list[int] = []
        try:
            for at in range(0, len(messages), PIPELINE_MESSAGES):
                if self.layer_down:
                    break  # the sweep sends these, in order, once the layer is back
                chunk = messages[at:at + PIPELINE_MESSAGES]
                try:
                    async with asyncio.timeout(self.send_timeout):
                        await send_many(self.layer, [_group_and_payload(m) for m in chunk])
                except Exception as exc:
                    self.layer_down = True
                    log.warning("relay: channel layer refused seqs %s-%s (%s); retrying "
                                "from the outbox", chunk[0]["seq"], chunk[-1]["seq"], exc)
                    break
                sent += [m["seq"] for m in chunk]
        finally:
            if sent:
                self.sent += len(sent)
                self._unmarked.extend(sent)
                if not self._mark_scheduled and not self._stopping:
                    self._mark_scheduled = True
                    task = asyncio.create_task(self._mark_soon(), name="relay-mark-sent")
                    self._markings.add(task)
                    task.add_done_callback(self._markings.discard)

    async def _mark_soon(self) -> None:
        await asyncio.sleep(MARK_SECONDS)
        self._mark_scheduled = False  # what is sent from here on gets the next update
        await self.mark_sent()

    async def mark_sent(self) -> None:
        """Mark what the hot path sent as sent (a failure leaves it to the sweep)."""
        ids, self._unmarked = self._unmarked, []
        try:
            for at in range(0, len(ids), MARK_CHUNK):
                await Event.filter(id__in=ids[at:at + MARK_CHUNK]).update(sent_at=now())
        except Exception:
            log.exception("relay: marking events sent failed; the sweep sends them again")

    async def _sweep_forever(self) -> None:
        last_prune = 0.0
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                await self.sweep()
                if loop.time() - last_prune >= self.prune_seconds:
                    last_prune = loop.time()
                    await prune_events(self.retention)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("relay: sweep failed; next try in %s s", self.sweep_seconds)

    async def sweep(self, grace: timedelta | None = None) -> int:
        """Send unsent events older than the grace; returns how many were sent."""
        moment = now()
        free = Q(claimed_until=None) | Q(claimed_until__lt=moment)
        ids = await Event.filter(free, sent_at=None,
                                 created_at__lt=moment - (self.grace if grace is None else grace)
                                 ).order_by("id").limit(SWEEP_BATCH).values_list("id", flat=True)
        count = 0
        for seq in ids:
            claimed = await Event.filter(free, id=seq, sent_at=None).update(
                claimed_until=moment + self.lease)
            if not claimed:
                continue  # another process's relay has it
            row = await Event.get(id=seq)
            try:
                await self._send(late(row))
            except Exception as exc:
                self.layer_down = True
                log.warning("relay: channel layer still refuses events (%s)", exc)
                await Event.filter(id=seq).update(claimed_until=None)
                return count
            await Event.filter(id=seq).update(sent_at=now())
            count += 1
        self.sent += count
        self.swept += count
        if len(ids) < SWEEP_BATCH:
            self.layer_down = False  # caught up: the hot path takes over again
        return count


def _group_and_payload(message: Message) -> Send:
    if message["topic"] == CONTROL_TOPIC:
        return CONTROL_GROUP, {"type": CONTROL_TYPE, **message["data"]}
    return group_name(message["topic"]), message


async def prune_events(retention: timedelta) -> int:
    """Delete events older than `retention` (never the newest), recording the pruned seq."""
    newest = await Event.all().order_by("-id").first()
    if newest is None:
        return 0
    old = Event.filter(created_at__lt=now() - retention, id__lt=newest.id)
    last_old = await old.order_by("-id").first()
    if last_old is None:
        return 0
    through = last_old.id
    mark, _ = await PrunedEvents.get_or_create(id=1)
    if mark.through_seq < through:
        await PrunedEvents.filter(id=1, through_seq__lt=through).update(through_seq=through)
    deleted = await Event.filter(id__lte=through).delete()
    log.info("relay: pruned %d events (through seq %d)", deleted, through)
    return deleted


async def pruned_through() -> int:
    """The highest seq the log may have lost to retention (0: nothing pruned)."""
    mark = await PrunedEvents.get_or_none(id=1)
    return mark.through_seq if mark else 0
