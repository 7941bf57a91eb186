"""No publish is ever left without its events (issue 12's outbox, for content): a publish
commits in the content store, which cannot share the outbox's transaction, so when its
events are lost (the process dies after the commit, or the event write fails) the
reconcile step writes them: exactly once, however often and on however many processes it
runs, and open sockets and `since` replay get them. Embedded and service mode."""

from __future__ import annotations

import asyncio

import pytest

from content_store.connect import current_store
from courseware import reconcile, service
from courseware.reconcile import announce_published, reconcile_published
from models.content_announcements import PublishedAnnouncement
from models.events import Event
from realtime.replay import replay_frames
from tests.content_app.conftest import COURSE, WELCOME, import_and_publish
from tests.realtime.test_outbox import Listener
from tests.support.live_reload import delivery_log
from tests.support.outbox_down import OutboxDown, last_seq, outbox_down
from tests.support.people import bearer, token

TOPIC = f"course:{COURSE}"
RENAMED = (WELCOME, "title: Welcome", "title: Welcome back")


class ProcessDied(Exception):
    """The process stopped right after the content store's commit."""


async def published_events(since: int) -> list[Event]:
    return list(await Event.filter(id__gt=since, topic=TOPIC, name="content.published")
                .order_by("id"))


async def announced() -> str | None:
    return (await PublishedAnnouncement.get(course_id=COURSE)).published_version


@pytest.fixture
async def published(client, people, archive):
    """The demo course imported and published; then a draft change waiting to publish."""
    _, version = await import_and_publish(client, archive)
    auth = bearer(await token(client, "grace@example.org"))
    r = await client.post(f"/api/v1/courses/{COURSE}/import", content=archive(RENAMED),
                          headers={**auth, "content-type": "application/gzip"})
    assert r.status_code == 200, r.text
    return version


@pytest.fixture
async def listening(app):
    """A student's socket on the course topic, as the hub sees it."""
    listener = Listener()
    app.runtime.hub.attach(listener)
    await app.runtime.hub.join(listener, TOPIC, "student")
    yield listener
    await app.runtime.hub.leave(listener)


async def test_a_publish_announces_itself_once_and_records_the_version(client, published):
    assert await announced() == published
    assert len(await published_events(0)) == 1
    assert await reconcile_published() == []
    assert len(await published_events(0)) == 1


async def test_a_publish_whose_process_died_is_announced_by_reconcile(
        app, published, people, listening, monkeypatch):
    async def die(_course_id: str) -> None:
        raise ProcessDied
    monkeypatch.setattr(service, "announce_after_commit", die)
    mark = await last_seq()
    with pytest.raises(ProcessDied):
        await service.publish_course(people.grace, COURSE)
    now = (await current_store().get_course_index(COURSE)).published_version
    assert now != published  # the content store committed the publish
    assert await published_events(mark) == [] and await announced() == published

    log = delivery_log(app.runtime.hub)
    assert await reconcile_published() == [COURSE]
    [event] = await published_events(mark)
    student = event.data_by_audience["student"]
    assert student["published_version"] == now and student["previous_version"] == published
    assert "hello" in student["changed_units"]
    [unit] = await Event.filter(id__gt=mark, topic=f"unit:{COURSE}:hello")
    assert "Welcome back" in unit.html_by_audience["staff"]
    assert await announced() == now
    await log.wait_for({event.id})
    assert event.id in listening.seqs  # an open socket got it
    ada = people.ada
    frames, _ = await replay_frames(ada, {TOPIC: "student"}, mark)  # so does `since`
    assert [f for f in frames if '"content.published"' in f]

    assert await reconcile_published() == []  # again: nothing more
    assert len(await published_events(mark)) == 1


async def test_a_failed_event_write_keeps_no_bookkeeping_and_reconcile_retries(
        published, people):
    mark = await last_seq()
    commit = await current_store().publish(COURSE, people.grace.id)  # the store's commit
    with outbox_down(), pytest.raises(OutboxDown):
        await announce_published(COURSE)
    # The version is not recorded as announced: the row moves only with its events.
    assert await announced() == published and await published_events(mark) == []
    with outbox_down():  # a publish's own announcing never fails the publish
        await reconcile.announce_after_commit(COURSE)
    assert await reconcile_published() == [COURSE]
    [event] = await published_events(mark)
    assert event.data_by_audience["staff"]["published_version"] == commit.version


async def test_concurrent_reconciles_announce_each_missed_publish_once(published, people):
    mark = await last_seq()
    await current_store().publish(COURSE, people.grace.id)
    results = await asyncio.gather(*(reconcile_published() for _ in range(4)),
                                   *(announce_published(COURSE) for _ in range(4)))
    assert sum(COURSE in r if isinstance(r, list) else r for r in results) == 1
    assert len(await published_events(mark)) == 1
    assert await reconcile_published() == []
    assert len(await published_events(mark)) == 1


async def test_a_course_without_published_content_is_left_alone(client, people, archive):
    auth = bearer(await token(client, "grace@example.org"))
    r = await client.post(f"/api/v1/courses/{COURSE}/import", content=archive(),
                          headers={**auth, "content-type": "application/gzip"})
    assert r.status_code == 200, r.text
    assert await reconcile_published() == []
    assert await published_events(0) == []


async def test_an_announcer_that_read_an_older_version_never_moves_announcing_back(
        published, people, monkeypatch):
    """Another process publishes again and announces while this one holds an older read
    of the published pointer: this one's claim fails, and announcing stays at the newest."""
    store = current_store()
    mark = await last_seq()
    older = await store.publish(COURSE, people.grace.id)
    original = store.get_course_index

    async def older_read(course_id):
        index = await original(course_id)
        monkeypatch.setattr(store, "get_course_index", original)  # only the first read
        await store.update_block(COURSE, "hello", {"title": "Hello again"}, people.grace.id)
        newer = await store.publish(COURSE, people.grace.id)
        assert await announce_published(COURSE)  # the other process
        assert index.published_version == older.version != newer.version
        return index

    monkeypatch.setattr(store, "get_course_index", older_read)
    assert not await announce_published(COURSE)
    now = (await store.get_course_index(COURSE)).published_version
    [event] = await published_events(mark)
    assert event.data_by_audience["staff"]["published_version"] == now
    assert await announced() == now
