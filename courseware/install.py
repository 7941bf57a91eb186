"""Courseware installs itself: routes, templates, the content events, the `studio:` and
`unit:` topics, the resync of the outline, the outline editor and a unit, the release
schedule (content.released when a start time passes) and the reconcile schedule
(content.published for a publish whose events were lost)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from core.install import Host, Stop, add_package, task_worker
from courseware import events, openapi, routes
from courseware.personal_data import PART as PERSONAL_DATA_PART
from courseware.reconcile import run_reconcile_schedule
from courseware.releases import start_release_schedule


def install(host: Host) -> None:
    add_package(
        host, Path(__file__).parent, routes.routes, events,
        topics={"studio": events._authorize_studio, "unit": events._authorize_unit},
        resync={"course": events._resync_outline, "studio": events._resync_studio,
                "unit": events._resync_unit},
        openapi=openapi.CONTENT_PATHS)
    host.personal_data.register("courseware", PERSONAL_DATA_PART)

    async def start() -> Stop:
        schedule = start_release_schedule()

        async def stop() -> None:
            schedule.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await schedule

        return stop

    host.add_worker("release schedule", start)
    host.add_worker("reconcile", task_worker("content-reconcile", run_reconcile_schedule))
