"""Courses install themselves: routes, templates, the course topics and the members list.

The course topics (`course:<id>`, `course:<id>:forum`, `course:<id>:staff`) are authorized
by the one role -> audience rule (courses.audience); `members:<id>` (the live members
table) by courses.events.
"""

from __future__ import annotations

from pathlib import Path

from core.install import Host, add_package
from courses import (
    catalogue_pages,
    enrolment_api,
    events,
    group_routes,
    members_pages,
    openapi,
    routes,
)
from courses.audience import _authorize_course, _authorize_course_staff
from courses.personal_data import PART as PERSONAL_DATA_PART


def install(host: Host) -> None:
    add_package(
        host, Path(__file__).parent,
        [*routes.routes, *members_pages.routes, *catalogue_pages.routes,
         *enrolment_api.routes, *group_routes.routes],
        events,
        topics={"course": _authorize_course, "course_forum": _authorize_course,
                "course_staff": _authorize_course_staff,
                "members": events._authorize_members},
        resync={"members": events._resync_members},
        openapi={**openapi.PATHS, **openapi.GROUP_PATHS})
    host.personal_data.register("courses", PERSONAL_DATA_PART)
