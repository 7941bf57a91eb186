"""LTI installs itself: routes, templates, its API description, the cache of the
platforms' key sets and the grade services' access tokens (one of each per process), and
the grade passback worker."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from core.install import Host, Stop, add_package
from lti import openapi, routes
from lti.ags import GRADE_SERVICES, GradeServices
from lti.passback import run_passback
from lti.personal_data import PART as PERSONAL_DATA_PART
from lti.platform_keys import PLATFORM_KEYS, PlatformKeySets


def install(host: Host) -> None:
    add_package(host, Path(__file__).parent, routes.routes, openapi=openapi.PATHS)
    host.personal_data.register("lti", PERSONAL_DATA_PART)
    host.provide(PLATFORM_KEYS, PlatformKeySets())
    host.provide(GRADE_SERVICES, GradeServices())

    async def start() -> Stop:
        task = asyncio.create_task(run_passback(), name="lti-grade-passback")

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        return stop

    host.add_worker("LTI grade passback", start)
