"""One wake-up per process at the next moment something in peer review falls due.

Leases expire, waits run out and leases become "stuck" on the staff board at known
times; waiting for the 30 s sweep would leave a waiting reviewer without the expired
lease's response, and the board without its stuck reviewer, for up to a sweep. So every
process keeps one timer at the earliest such moment it knows of, re-armed whenever it
creates a lease or a wait. When it rings it reads the database (the truth, whichever
process made the lease), does what is due, and re-arms at the next due moment the
database shows. The sweeper stays as the safety net (a process that made a lease died).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from core.context import RuntimeValue
from models.db import leave_transactions
from models.peer_review import AssignmentStatus, Kind, PeerAssignment, PeerReviewer
from peer_review import clocks, events

log = logging.getLogger("coursewire.peer_review.alarm")

# Never ring more often than this, even if something is overdue (it is retried anyway).
MIN_DELAY = 0.05


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# What falls due when the alarm rings (expired leases, stale waits), handed over by
# peer_review.install: the expiry actions arm this alarm themselves, so it cannot import them.
DueWork = Callable[[datetime], Awaitable[None]]


async def _nothing_due(_at: datetime) -> None:
    return None


class Alarm:
    def __init__(self, due_work: DueWork = _nothing_due) -> None:
        self._due_work = due_work
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._when: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._stuck_checked: datetime | None = None

    @property
    def when(self) -> datetime | None:
        """When this process's timer rings next (None: not armed)."""
        return self._when

    def arm(self, when: datetime | None) -> None:
        """Ring at `when` unless already set to ring earlier."""
        if when is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a script): the sweeper covers it
        if loop is not self._loop:  # a new event loop (tests): forget the old one's timer
            self._loop, self._handle, self._when, self._task = loop, None, None, None
            self._stuck_checked = None
        when = _utc(when)
        if self._handle is not None and self._when is not None and self._when <= when:
            return
        if self._handle is not None:
            self._handle.cancel()
        delay = max(MIN_DELAY, (when - datetime.now(UTC)).total_seconds())
        self._when = when
        self._handle = loop.call_later(delay, self._fire)

    def disarm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle, self._when = None, None

    async def idle(self) -> None:
        """Wait for a ring in progress, if any, to finish (it re-arms on its way out)."""
        task = self._task
        if task is not None and not task.done() and task is not asyncio.current_task():
            await asyncio.wait([task])

    async def stop(self) -> None:
        """Disarm and let a ring in progress finish (shutdown, tests)."""
        self.disarm()
        await self.idle()
        self.disarm()  # the ring re-armed on its way out

    def _fire(self) -> None:
        self._handle, self._when = None, None
        if self._task is not None and not self._task.done():
            # Still ringing: ring once more afterwards so nothing due meanwhile is missed.
            self._task.add_done_callback(lambda _: self.arm(datetime.now(UTC)))
            return
        self._task = asyncio.get_running_loop().create_task(self.ring(),
                                                            name="peer-review-alarm")

    async def ring(self, at: datetime | None = None) -> None:
        """Do what is due now, then re-arm at the next due moment in the database."""
        at = at or datetime.now(UTC)
        leave_transactions()  # the timer may have been armed inside one, long committed
        try:
            await self._due_work(at)
            await self._push_stuck(at)
        except Exception:  # the database restarting, say: the next ring or sweep retries
            log.exception("peer review alarm failed")
        try:
            self.arm(await next_due(at))
        except Exception:
            log.exception("peer review alarm could not re-arm; the sweeper covers it")

    async def _push_stuck(self, at: datetime) -> None:
        """Boards whose leases crossed the stuck threshold since the last ring."""
        line = at - clocks.STUCK_AFTER
        since = self._stuck_checked or line - timedelta(minutes=1)
        self._stuck_checked = line
        crossed = await PeerAssignment.filter(
            status=AssignmentStatus.OPEN, kind=Kind.PEER, leased_at__gt=since,
            leased_at__lte=line).distinct().values_list("course_id", "block_id")
        for course_id, block_id in sorted(set(crossed)):
            try:
                await events.board_changed(course_id, block_id)
            except Exception:
                log.exception("peer review: no stuck update for %s/%s", course_id, block_id)

    def arm_for(self, assignment: PeerAssignment) -> None:
        """A lease was made: ring when it expires and when it would count as stuck."""
        if assignment.expires_at is not None:
            self.arm(assignment.expires_at)
        self.arm(_utc(assignment.leased_at) + clocks.STUCK_AFTER)


async def next_due(at: datetime) -> datetime | None:
    """The earliest future moment anything falls due, as the database shows it."""
    moments: list[datetime] = []
    expiry = await PeerAssignment.filter(status=AssignmentStatus.OPEN,
                                         expires_at__isnull=False).order_by(
        "expires_at").first().values_list("expires_at", flat=True)
    if expiry is not None:
        moments.append(_utc(expiry))
    leased = await PeerAssignment.filter(
        status=AssignmentStatus.OPEN, kind=Kind.PEER,
        leased_at__gt=at - clocks.STUCK_AFTER).order_by("leased_at").first().values_list(
        "leased_at", flat=True)
    if leased is not None:
        moments.append(_utc(leased) + clocks.STUCK_AFTER)
    waiting = await PeerReviewer.filter(waiting_since__isnull=False).order_by(
        "waiting_since").first().values_list("waiting_since", flat=True)
    if waiting is not None:
        moments.append(_utc(waiting) + clocks.timing().wait)
    return min(moments, default=None)


# This process's alarm, made and bound by the Runtime. Unbound (a command, a script), the
# functions below do nothing: the sweeper covers what falls due.
ALARM: RuntimeValue[Alarm] = RuntimeValue("peer review alarm")


def arm(when: datetime | None) -> None:
    alarm = ALARM.peek()
    if alarm is not None:
        alarm.arm(when)


def arm_for(assignment: PeerAssignment) -> None:
    alarm = ALARM.peek()
    if alarm is not None:
        alarm.arm_for(assignment)


def current() -> Alarm:
    return ALARM.get()


async def start() -> None:
    """At start-up: arm for whatever the database already holds."""
    arm(await next_due(datetime.now(UTC)))
