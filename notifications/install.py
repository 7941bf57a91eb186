"""Notifications install themselves: the inbox routes and templates, the `inbox:<user>`
topic, the bell's resync on the user's own topic, the consumer of the event log and the
daily digest's scheduler."""

from __future__ import annotations

from pathlib import Path

from core.install import Host, add_package
from core.templating import render
from models.notifications import Notification
from models.users import User
from notifications import events, openapi, routes
from notifications.consumer import run_consumer
from notifications.digest import run_digest_scheduler
from notifications.inbox import INBOX_PAGE
from notifications.personal_data import PART as PERSONAL_DATA_PART
from notifications.workers import stoppable_worker
from realtime.topics import Topic


async def _authorize_inbox(topic: Topic, user: User) -> str | None:
    return "self" if topic.key == str(user.id) else None


async def _resync_inbox(topic: Topic, user: User, _audience: str) -> str:
    items = await Notification.filter(user_id=user.id).order_by("-id").limit(INBOX_PAGE)
    return render("notifications/_list.html", items=items, oob=True)


def install(host: Host) -> None:
    add_package(host, Path(__file__).parent, routes.routes, events,
                topics={"inbox": _authorize_inbox},
                resync={"user": events._resync_bell, "inbox": _resync_inbox},
                openapi=openapi.PATHS)
    host.personal_data.register("notifications", PERSONAL_DATA_PART)
    public_url, hour = host.settings.public_url, host.settings.digest_hour
    host.add_worker("notifications", stoppable_worker(
        "notifications-consumer", lambda stopping: run_consumer(public_url, stopping)))
    host.add_worker("notifications-digest", stoppable_worker(
        "notifications-digest",
        lambda stopping: run_digest_scheduler(public_url, stopping, hour=hour)))
