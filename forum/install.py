"""The forum installs itself: routes, templates, its events, the `thread:` and
`forum_list:` topics, the resync of threads, thread lists and the moderation queue, and
the replay check that leaves out posts deleted or hidden since."""

from __future__ import annotations

from pathlib import Path

from core.install import Host, add_package
from forum import events, openapi, resync, routes
from forum.personal_data import PART as PERSONAL_DATA_PART
from forum.replay import recheck_forum_event


def install(host: Host) -> None:
    add_package(
        host, Path(__file__).parent, routes.routes, events,
        topics={"thread": resync.authorize_thread, "forum_list": resync.authorize_list},
        resync={"forum_list": resync.resync_filtered_list, "thread": resync.resync_thread,
                "course_forum": resync.resync_list, "course_staff": resync.resync_queue},
        openapi=openapi.paths())
    host.personal_data.register("forum", PERSONAL_DATA_PART)
    host.replay_checks.register("forum.", recheck_forum_event)  # deleted posts stay out
