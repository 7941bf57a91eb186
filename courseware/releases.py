"""The release schedule: when a start time passes, open outlines gain what it releases.

Pages are rendered for the moment they are read (courses.release), so a reload is always
right; this makes an open page right too, without a reload. Each app process runs one
schedule task. It keeps nothing another process needs: each round it reads the courses'
published versions (cached per version, so a round is cheap), announces every start time
that passed in the last `LOOKBACK` and was not announced yet (`content.released`, which
re-renders the outline per audience), then sleeps until the next start time it knows of,
or `RESCAN` at most, so a start published by another process is seen within `RESCAN`.

Every process runs the schedule, and exactly one announces each start: it inserts the
start's row in `release_announcements`, whose (course, time) pair is unique, and writes the
event in the same transaction; only the process whose insert commits has announced. That
holds on PostgreSQL and SQLite alike. A process that dies (or fails to write the event)
before the commit leaves neither the claim nor the event, so another round, on any
process, announces that start while it is within `LOOKBACK`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import clock
from courses.release import start_times
from courses.visibility import published_course
from courseware.events import content_released
from models.courses import Course
from models.releases import ReleaseAnnouncement

log = logging.getLogger("coursewire.releases")

RESCAN = 2.0  # seconds between rounds when no known start is nearer
LOOKBACK = timedelta(minutes=10)  # a start passed this recently is still announced
MIN_SLEEP = 0.05


async def announce_release(course_id: str, at: datetime) -> bool:
    """Claim this start and announce it, in one transaction: True for the one caller (on
    any process) that does; a failure leaves the start unclaimed, for the next round."""
    try:
        async with in_transaction():
            await ReleaseAnnouncement.create(course_id=course_id, released_at=at)
            await content_released(course_id, at)
    except IntegrityError:
        return False
    return True


async def announce_due(announced: set[tuple[str, datetime]]) -> datetime | None:
    """Announce every start that is due and unannounced; returns the next start to come.
    `announced` is this process's memory of the starts it saw handled (claims it lost
    included), so each is claimed at most once per process; a start whose announcement
    failed is not remembered, so the next round tries it again."""
    now = clock.now()
    upcoming: list[datetime] = []
    for course_id in await Course.all().values_list("id", flat=True):
        course = await published_course(str(course_id))
        if course is None:
            continue
        for at in sorted(start_times(course.structure)):
            if at > now:
                upcoming.append(at)
            elif at > now - LOOKBACK and (course.course_id, at) not in announced:
                if await announce_release(course.course_id, at):
                    log.info("announced the release at %s in %s", at, course.course_id)
                announced.add((course.course_id, at))
    return min(upcoming, default=None)


async def run_release_schedule(rescan: float = RESCAN) -> None:
    """This process's schedule: announce due starts, sleep until the next, forever."""
    announced: set[tuple[str, datetime]] = set()
    while True:
        try:
            upcoming = await announce_due(announced)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bad course or a database hiccup: log, try again next round
            log.exception("release schedule round failed")
            upcoming = None
        delay = rescan
        if upcoming is not None:
            delay = min(rescan, max(MIN_SLEEP, (upcoming - clock.now()).total_seconds()))
        await asyncio.sleep(delay)


def start_release_schedule() -> asyncio.Task[None]:
    """Wiring: start this process's release schedule (the shell's Runtime stops it)."""
    return asyncio.create_task(run_release_schedule(), name="release-schedule")
