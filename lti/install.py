"""LTI installs itself: routes, templates, its API description, the cache of the
platforms' key sets and the grade services' access tokens (one of each per process), and
its workers: grade passback and the roster syncs launches ask for."""

from __future__ import annotations

from pathlib import Path

from core.install import Host, add_package, task_worker
from lti import openapi, routes
from lti.ags import GRADE_SERVICES, GradeServices
from lti.passback import run_passback
from lti.personal_data import PART as PERSONAL_DATA_PART
from lti.platform_keys import PLATFORM_KEYS, PlatformKeySets
from lti.roster import run_roster_sync


def install(host: Host) -> None:
    add_package(host, Path(__file__).parent, routes.routes, openapi=openapi.PATHS)
    host.personal_data.register("lti", PERSONAL_DATA_PART)
    host.provide(PLATFORM_KEYS, PlatformKeySets())
    host.provide(GRADE_SERVICES, GradeServices())
    host.add_worker("LTI grade passback", task_worker("lti-grade-passback", run_passback))
    host.add_worker("LTI roster sync", task_worker("lti-roster-sync", run_roster_sync))
