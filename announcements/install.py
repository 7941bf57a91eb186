"""Announcements install themselves: routes, templates, events, and the course region's resync."""

from __future__ import annotations

from pathlib import Path

from announcements import events, openapi, routes
from announcements.personal_data import PART as PERSONAL_DATA_PART
from core.install import Host, add_package


def install(host: Host) -> None:
    add_package(host, Path(__file__).parent, routes.routes, events,
                resync={"course": events._resync_announcements},
                openapi=openapi.PATHS)
    host.personal_data.register("announcements", PERSONAL_DATA_PART)
