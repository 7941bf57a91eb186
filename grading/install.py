"""Grading installs itself: routes, templates, its events, the `submission:` and `grades:`
topics with their resync, the listener for members who change group, its limits and
external-grader settings, and the worker (the queue, and in a process that grades: the
graders and the sweeper; grading.worker)."""

from __future__ import annotations

from pathlib import Path

from core.install import Host, Stop, add_package
from courses.group_moves import GROUP_MOVES
from grading import (
    events,
    external,
    group_deadline_routes,
    group_deadlines,
    limits,
    openapi,
    routes,
)
from grading.at_once import AT_ONCE
from grading.personal_data import PART as PERSONAL_DATA_PART
from grading.queue import QUEUE
from grading.worker import grades_in_app, start_grading


def install(host: Host) -> None:
    add_package(
        host, Path(__file__).parent, [*routes.routes, *group_deadline_routes.routes], events,
        topics={"submission": events._authorize_submission, "grades": events._authorize_grades},
        resync={"user": events._resync_widgets, "grades": events._resync_grades},
        openapi={**openapi.PATHS, **openapi.GROUP_DEADLINE_PATHS})
    host.personal_data.register("grading", PERSONAL_DATA_PART)
    host.provide(limits.LIMITS, limits.limits_from(host.settings))
    host.provide(GROUP_MOVES, group_deadlines.members_moved)
    host.provide(external.CONFIG, external.config_from(host.settings))

    async def start() -> Stop:
        grading = await start_grading(host.settings, consume=grades_in_app(host.settings))
        host.provide(QUEUE, grading.queue)
        host.provide(AT_ONCE, grading.at_once)

        async def stop() -> None:
            await grading.stop()
            host.provide(QUEUE, None)
            host.provide(AT_ONCE, None)

        return stop

    host.add_worker("grading", start)
