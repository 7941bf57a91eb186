"""Peer review installs itself: routes, templates, its events, the `peer_review:` topic
and its resync, the `peer_review` block type (grading.block_types, hooks in
peer_review.hooks), the queue's clocks, this process's alarm, and the sweeper."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from pathlib import Path

from core.install import Host, Stop, add_package
from peer_review import events, expiry, fragments, openapi, routes
from peer_review.alarm import ALARM, Alarm
from peer_review.hooks import PEER_REVIEW
from peer_review.personal_data import PART as PERSONAL_DATA_PART
from peer_review.sweeper import start_peer_review
from peer_review.timing import TIMING, timing_from


def install(host: Host) -> None:
    add_package(host, Path(__file__).parent, routes.routes, events,
                topics={"peer_review": fragments.authorize_page},
                resync={"peer_review": fragments.resync_page},
                openapi=openapi.PATHS)
    host.personal_data.register("peer_review", PERSONAL_DATA_PART)
    host.block_types.register("peer_review", PEER_REVIEW)
    host.provide(TIMING, timing_from(host.settings))
    alarm = Alarm(due_work=_due_work)
    host.provide(ALARM, alarm)

    async def start() -> Stop:
        sweeper = start_peer_review(host.settings)

        async def stop() -> None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await alarm.stop()

        return stop

    host.add_worker("peer review", start)


async def _due_work(at: datetime) -> None:
    """What the alarm does when it rings: expire leases, end reviewers' stale waits."""
    await expiry.expire_leases(at)
    await expiry.end_stale_waits(at)
