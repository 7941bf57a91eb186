"""Every move of a course's published content is announced, even across a crash.

A publish commits to the content store (MongoDB or the embedded store), which cannot share
a transaction with the SQL outbox; so the `content.published` events cannot commit with the
change. Instead each course has a row saying which published version the events last
announced (`published_announcements`), and announcing is one SQL transaction that moves
that row from the announced version to the store's current one and writes the events:
both commit, or neither does.

A publish announces right after the content store's commit (`announce_published`). If that
fails or the process dies in between, the course's pointer and its row disagree, and the
next `reconcile_published` (at start-up, then every `ROUND` seconds on every process, and
`coursewire reconcile`) announces it, diffing from the last announced version. The update
is conditional on the row still holding the version this process read, so however many
processes announce at once, exactly one writes the events for each move; the others'
updates match no row, and they look again in case the winner announced an older version.
Two publishes in quick succession may be announced as one move (the outline and units as
they are now), never as two events for one version.
"""

from __future__ import annotations

import asyncio
import logging

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from content_store import CourseNotFound, VersionNotFound
from content_store.connect import current_store
from core import clock
from courseware import events
from models.content_announcements import PublishedAnnouncement
from models.courses import Course

log = logging.getLogger("coursewire.reconcile")

ROUND = 30.0  # seconds between reconcile rounds; a publish announces itself at once
ATTEMPTS = 3  # claims lost to other callers before leaving the course to the next round


async def announce_published(course_id: str) -> bool:
    """Announce the course's published version if the events have not yet: True if this
    call wrote the events, False if there was nothing to announce or another caller did."""
    for _ in range(ATTEMPTS):
        # The row first, then the store: a version read after the row is never older than
        # the one the row holds, so a claim that matches can only move announcing forward.
        announced = await _announced_version(course_id)
        try:
            current = (await current_store().get_course_index(course_id)).published_version
        except CourseNotFound:
            return False
        if current is None or current == announced:
            return False
        async with in_transaction():
            claimed = await PublishedAnnouncement.filter(
                course_id=course_id, published_version=announced,
            ).update(published_version=current, announced_at=clock.now())
            if claimed:
                await events.content_published(course_id, await _still_stored(announced),
                                               current)
        if claimed:
            log.info("announced version %s of %s (after %s)", current, course_id, announced)
            return True
        # Another caller announced meanwhile, perhaps an older version than ours: look again.
    return False


async def announce_after_commit(course_id: str) -> None:
    """A service's call after its content-store commit: the change is kept whatever
    happens here, so a failure is logged and left to the next reconcile round."""
    try:
        await announce_published(course_id)
    except Exception:
        log.exception("announcing %s failed; the next reconcile round announces it",
                      course_id)


async def reconcile_published() -> list[str]:
    """Announce every course whose published version its events have not announced; the
    ids of the courses this call announced."""
    announced = dict(await PublishedAnnouncement.all().values_list("course_id",
                                                                     "published_version"))
    store = current_store()
    done = []
    for course_id in await Course.all().values_list("id", flat=True):
        try:
            current = (await store.get_course_index(course_id)).published_version
        except CourseNotFound:
            continue
        if current is not None and current != announced.get(course_id):
            if await announce_published(course_id):
                done.append(course_id)
    return done


async def run_reconcile_schedule(interval: float = ROUND) -> None:
    """This process's reconcile: a round at start-up, then one every `interval`, forever."""
    while True:
        try:
            if done := await reconcile_published():
                log.warning("announced %d publishes whose events were missing: %s",
                            len(done), ", ".join(done))
        except asyncio.CancelledError:
            raise
        except Exception:  # the store or the database is down: log, try again next round
            log.exception("reconcile round failed")
        await asyncio.sleep(interval)


async def _announced_version(course_id: str) -> str | None:
    """The last announced version; the course's row is created (announcing nothing) if it
    has none, so that the claim is always a conditional update of an existing row."""
    row = await PublishedAnnouncement.get_or_none(course_id=course_id)
    if row is not None:
        return row.published_version
    try:
        await PublishedAnnouncement.create(course_id=course_id, published_version=None)
    except IntegrityError:  # created meanwhile by another caller
        return (await PublishedAnnouncement.get(course_id=course_id)).published_version
    return None


async def _still_stored(version: str | None) -> str | None:
    """The version to diff from: None (announce every unit) if it was pruned meanwhile."""
    if version is None:
        return None
    try:
        await current_store().get_structure(version)
    except VersionNotFound:
        return None
    return version
