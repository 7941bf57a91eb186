"""The peer review queue's clocks, from settings; the Runtime binds them (`TIMING`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.context import RuntimeValue
from core.settings import Settings


@dataclass(frozen=True)
class Timing:
    """The queue's clocks (from settings): the full lease, the short first lease of work
    pushed to a waiter until they open it, how long a reviewer waits, how long allocated
    reviews stay theirs."""

    lease: timedelta = timedelta(hours=8)
    first_open: timedelta = timedelta(minutes=15)
    wait: timedelta = timedelta(hours=2)
    allocated: timedelta = timedelta(days=7)


TIMING: RuntimeValue[Timing] = RuntimeValue("peer review timing", default=Timing())


def timing_from(settings: Settings) -> Timing:
    return Timing(lease=timedelta(hours=settings.peer_review_lease_hours),
                  first_open=timedelta(minutes=settings.peer_review_first_open_minutes),
                  wait=timedelta(hours=settings.peer_review_wait_hours),
                  allocated=timedelta(days=settings.peer_review_allocated_days))


def timing() -> Timing:
    return TIMING.get()
