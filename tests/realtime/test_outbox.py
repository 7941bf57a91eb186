"""The transactional outbox (issue 12): an event commits with its change, is sent after
commit within milliseconds, is never sent for a rolled-back change, and an event committed
but never sent (its process died) is sent by a relay's sweep. Embedded and service mode."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import timedelta

import pytest
from channels.layers import InMemoryChannelLayer
from tortoise.transactions import in_transaction

from core.clock import now
from models.announcements import Announcement
from models.events import Event
from realtime.outbox import message_of
from realtime.publish import publish
from realtime.relay import Relay
from tests.quizzes.test_hand_in_queue import sql_statements
from tests.support.live_reload import delivery_log
from tests.support.people import bearer, course_with, person, token

TOPIC = "course:course-v1:Test+OUT+1"


class Listener:
    """A JSON socket's stand-in on the hub, recording what it is offered and when."""

    kind = "json"
    language = ""

    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.events: list[str] = []
        self.at: dict[int, float] = {}
        self.arrived = asyncio.Event()

    def offer(self, seq: int, frame: str) -> None:
        self.seqs.append(seq)
        self.events.append(json.loads(frame)["event"])
        self.at[seq] = time.perf_counter()
        self.arrived.set()

    def close_for_resync(self) -> None:
        raise AssertionError("asked to resync")

    def close_for_restart(self) -> None:
        pass


async def eventually(condition, what: str, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


async def marked_sent(seqs: list[int]) -> None:
    """Wait until the relay has marked these rows sent (it does so after the send)."""
    async def all_sent() -> bool:
        return not await Event.filter(id__in=seqs, sent_at=None).exists()
    await eventually(all_sent, f"events {seqs} marked sent")


@pytest.fixture
async def listening(app):
    hub = app.runtime.hub
    listener = Listener()
    hub.attach(listener)
    await hub.join(listener, TOPIC, "student")
    yield app.runtime, listener
    await hub.leave(listener)


async def test_a_rolled_back_change_is_never_sent_to_sockets(listening):
    runtime, listener = listening
    log = delivery_log(runtime.hub)
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await publish(TOPIC, "test.rolled_back", {"*": {"n": 1}})
            raise RuntimeError("the change failed")
    # A later committed event arrives: had the rolled-back one been sent, it came first.
    committed = await publish(TOPIC, "test.committed", {"*": {"n": 2}})
    await log.wait_for({committed})
    assert listener.events == ["test.committed"]
    assert not await Event.filter(name="test.rolled_back").exists()


async def test_an_event_in_a_transaction_is_sent_only_after_commit(listening):
    runtime, listener = listening
    log = delivery_log(runtime.hub)
    async with in_transaction():
        assert await publish(TOPIC, "test.inside", {"*": {"n": 1}}) is None
        # Until commit nothing has been handed to the relay, so nothing can reach a socket.
        assert runtime.relay._queue.empty()
        await asyncio.sleep(0)
        assert not log.handled
    seq = (await Event.get(name="test.inside")).id
    await log.wait_for({seq})
    assert listener.seqs == [seq]
    await marked_sent([seq])


async def test_a_committed_event_reaches_sockets_by_the_hot_path_not_the_sweep(listening):
    """Each commit rings the relay, which sends at once: with the sweep parked, every event
    still arrives (how fast is measured in bench/, not asserted here)."""
    runtime, listener = listening
    runtime.relay.sweep_seconds = 3600.0  # its next pass is an hour away
    for n in range(5):
        listener.arrived.clear()
        async with in_transaction():
            await publish(TOPIC, "test.fast", {"*": {"n": n}})
        await asyncio.wait_for(listener.arrived.wait(), 10)
    assert listener.events == ["test.fast"] * 5
    assert runtime.relay.swept == 0


async def test_an_event_committed_but_never_sent_is_sent_by_the_sweep(listening):
    """A process that died between commit and send leaves an unsent row (simulated by
    writing it without ringing the doorbell); a relay's sweep sends it."""
    runtime, listener = listening
    log = delivery_log(runtime.hub)
    orphan = await Event.create(topic=TOPIC, name="test.orphan", data_by_audience={"*": {}},
                                html_by_audience={})
    await Event.filter(id=orphan.id).update(created_at=now() - timedelta(seconds=60))
    # Too fresh to sweep (its writer may still be sending it): left alone.
    fresh = await Event.create(topic=TOPIC, name="test.fresh", data_by_audience={"*": {}})
    assert await runtime.relay.sweep() == 1
    await log.wait_for({orphan.id})
    assert listener.seqs == [orphan.id]
    await marked_sent([orphan.id])
    assert (await Event.get(id=fresh.id)).sent_at is None


async def test_announcement_and_its_event_commit_together(app, client):
    """The audit saw announcements saved with no event under kill -9: now one transaction."""
    teacher = await person("teacher@outbox.test", creator=True)
    course = (await course_with(teacher, {})).id
    r = await client.post(f"/api/v1/courses/{course}/announcements",
                          json={"title": "T", "body": "B"},
                          headers=bearer(await token(client, teacher.email)))
    assert r.status_code == 201
    assert await Event.filter(topic=f"course:{course}", name="announcement.created").count() == 1
    assert await Announcement.filter(course_id=course).count() == 1


class FailingLayer(InMemoryChannelLayer):
    def __init__(self) -> None:
        super().__init__()
        self.down = True
        self.sent: list[dict] = []

    async def group_send(self, group, message):
        if self.down:
            raise ConnectionError("redis is down")
        self.sent.append(message)


async def test_a_channel_layer_outage_fails_no_write_and_the_relay_retries(db):
    layer = FailingLayer()
    relay = Relay(layer, sweep_seconds=0.05, grace_seconds=0.0)
    await relay.start()
    try:
        seqs = [await publish(TOPIC, "test.outage", {"*": {"n": n}}) for n in range(3)]
        async def refused() -> bool:
            return relay.layer_down
        await eventually(refused, "the relay saw the layer refuse")
        assert await Event.filter(id__in=seqs, sent_at=None).count() == 3
        layer.down = False
        await marked_sent(seqs)
        assert [m["seq"] for m in layer.sent] == seqs  # in order, once each
    finally:
        await relay.stop()


async def test_two_relays_sweeping_the_same_rows_send_each_once(db):
    layers = [FailingLayer(), FailingLayer()]
    for layer in layers:
        layer.down = False
    relays = [Relay(layer, grace_seconds=0.0) for layer in layers]
    rows = [await Event.create(topic=TOPIC, name="test.orphan", data_by_audience={"*": {}})
            for _ in range(20)]
    sent = await asyncio.gather(*(r.sweep() for r in relays))
    assert sum(sent) == 20
    seqs = sorted(m["seq"] for layer in layers for m in layer.sent)
    assert seqs == [r.id for r in rows]


async def test_a_hub_drops_an_event_it_already_delivered():
    """The outbox may send a seq twice (a writer died after sending, before marking)."""
    from realtime.hub import Hub
    from realtime.publish import ENCODERS
    hub = Hub(InMemoryChannelLayer(), ENCODERS)
    await hub.start()
    try:
        listener = Listener()
        hub.attach(listener)
        await hub.join(listener, TOPIC, "student")
        message = {"type": "hub.event", "topic": TOPIC, "event": "test.twice", "seq": 7,
                   "data": {"*": {}}, "html": {}}
        hub.deliver(message)
        hub.deliver(dict(message))
        assert listener.seqs == [7] and hub.duplicates_dropped == 1
    finally:
        await hub.stop()


async def test_the_hot_path_marks_what_it_sent_in_one_update_not_one_per_commit(db, caplog):
    """Every autosave commits its events; marking each commit's rows sent was a statement
    per save. The relay marks what it sent within MARK_SECONDS in one update."""
    layer = FailingLayer()
    layer.down = False
    relay = Relay(layer)
    await relay.start()
    try:
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            seqs = []
            for n in range(10):  # ten commits, each sent by the hot path at once
                seqs.append(await publish(TOPIC, "test.mark", {"*": {"n": n}}))
                await asyncio.sleep(0.005)
            await marked_sent(seqs)
        marks = [r for r in caplog.records
                 if "UPDATE" in r.getMessage() and "sent_at" in r.getMessage()]
        assert 1 <= len(marks) <= 2, [r.getMessage()[:120] for r in marks]
        assert [m["seq"] for m in layer.sent] == seqs
    finally:
        await relay.stop()
    assert relay.sent == 10


async def test_stop_waits_for_a_marking_in_flight(db):
    """The server's log showed a marking that ran after stop(), on a closed database: stop()
    must wait for a marking already under way, not only for one still asleep."""
    class GatedRelay(Relay):
        entered, gate = asyncio.Event(), asyncio.Event()

        async def mark_sent(self) -> None:
            if not self.entered.is_set():  # the first marking, from the hot path's task
                self.entered.set()
                await self.gate.wait()
            await super().mark_sent()

    layer = FailingLayer()
    layer.down = False
    relay = GatedRelay(layer)
    await relay.start()
    seq = await publish(TOPIC, "test.marked", {"*": {}})
    await asyncio.wait_for(relay.entered.wait(), 5)
    stopping = asyncio.create_task(relay.stop())
    await asyncio.sleep(0.3)
    assert not stopping.done()  # waiting for the marking in flight
    relay.gate.set()
    await asyncio.wait_for(stopping, 5)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "relay-mark-sent"]
    assert (await Event.get(id=seq)).sent_at is not None


async def test_stop_does_not_wait_forever_for_a_database_that_never_answers(db, caplog):
    """CI hung at a teardown: the relay's stop waited for a marking whose database lock was
    never given back. A marking that does not end within the flush bound is given up (the
    sweep sends its events again) and stop() returns."""
    class StuckRelay(Relay):
        entered = asyncio.Event()

        async def mark_sent(self) -> None:
            self.entered.set()
            await asyncio.Event().wait()  # a database that never answers

    layer = FailingLayer()
    layer.down = False
    relay = StuckRelay(layer)
    await relay.start()
    seq = await publish(TOPIC, "test.stuck", {"*": {}})
    await asyncio.wait_for(relay.entered.wait(), 5)
    with caplog.at_level(logging.WARNING, logger="coursewire.relay"):
        await asyncio.wait_for(relay.stop(flush_seconds=0.3), 5)
    assert "next sweep sends them again" in caplog.text
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "relay-mark-sent"]
    assert (await Event.get(id=seq)).sent_at is None  # left to the sweep


async def test_a_transactions_events_are_one_insert_in_the_order_published(listening):
    """An autosave publishes three events: they are inserted together when the change
    commits (one statement, not three), numbered and delivered in the order published."""
    _runtime, listener = listening
    with sql_statements() as sent:
        async with in_transaction():
            for n in range(3):
                await publish(TOPIC, f"test.batch{n}", {"*": {"n": n}})
    inserts = [s for s in sent if s.upper().startswith("INSERT")]
    assert len(inserts) == 1 and '"events"' in inserts[0], sent
    rows = await Event.filter(name__startswith="test.batch").order_by("id")
    assert [r.name for r in rows] == ["test.batch0", "test.batch1", "test.batch2"]
    assert [r.data_by_audience for r in rows] == [{"*": {"n": n}} for n in range(3)]
    await eventually(lambda: _true(len(listener.seqs) == 3), "three events delivered")
    assert listener.seqs == [r.id for r in rows]
    assert listener.events == ["test.batch0", "test.batch1", "test.batch2"]
    await marked_sent([r.id for r in rows])


async def _true(value: bool) -> bool:
    return value


async def test_a_nested_blocks_events_follow_it_released_or_rolled_back(listening):
    """A nested in_transaction() is a savepoint with a client of its own: released, its
    events commit and are sent with the enclosing transaction; rolled back, they are
    neither stored nor sent."""
    _runtime, listener = listening
    async with in_transaction():
        await publish(TOPIC, "test.outer_before", {"*": {}})
        async with in_transaction():
            await publish(TOPIC, "test.kept", {"*": {}})
        with pytest.raises(RuntimeError):
            async with in_transaction():
                await publish(TOPIC, "test.dropped", {"*": {}})
                raise RuntimeError("the inner change failed")
        await publish(TOPIC, "test.outer_after", {"*": {}})
    names = [e.name for e in await Event.filter(name__startswith="test.").order_by("id")]
    assert names == ["test.outer_before", "test.kept", "test.outer_after"]
    await eventually(lambda: _true(len(listener.events) == 3), "three events delivered")
    assert listener.events == names


async def test_an_event_the_database_refuses_fails_its_publish_not_a_later_commit(db):
    """Values are converted when published: a payload that is not JSON fails the publish
    in the code that wrote it, and the transaction rolls back as for any other error."""
    with pytest.raises(TypeError):
        async with in_transaction():
            await publish(TOPIC, "test.bad", {"*": {"when": object()}})
    assert not await Event.filter(name="test.bad").exists()
    async with in_transaction():  # the connection is usable: nothing was left open
        await publish(TOPIC, "test.after", {"*": {}})
    assert await Event.filter(name="test.after").exists()


async def test_a_failed_insert_at_commit_rolls_the_change_back(db, monkeypatch):
    """If the events cannot be inserted when the change commits, the change does not
    commit without them, and the connection is left usable."""
    from realtime import outbox

    async def refused(*_args, **_kwargs):
        raise RuntimeError("the database refused the events")

    teacher = await person("teacher@outbox-refused.test", creator=True)
    course = (await course_with(teacher, {})).id
    monkeypatch.setattr(outbox, "insert_returning_ids", refused)
    with pytest.raises(RuntimeError, match="refused the events"):
        async with in_transaction():
            await Announcement.create(course_id=course, title="lost", body_md="x",
                                      body_html="x")
            await publish(TOPIC, "test.refused", {"*": {}})
    monkeypatch.undo()
    assert not await Announcement.filter(title="lost").exists()
    async with in_transaction():
        await publish(TOPIC, "test.after_refusal", {"*": {}})
    assert await Event.filter(name="test.after_refusal").exists()


async def test_the_sweep_sends_an_event_marked_late_with_when_it_was_written(db):
    """Swept events reach hubs out of commit order: each carries `late` (when it was
    written), so a hub can spare it to pages that rendered after it (realtime/hub.py)."""
    relay = Relay(InMemoryChannelLayer(), grace_seconds=0.0)
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)
    relay._send = send  # type: ignore[method-assign]
    async with in_transaction():
        await publish(TOPIC, "test.swept", {"*": {"n": 1}})
    row = await Event.get(name="test.swept")
    assert abs(row.created_at.timestamp() - time.time()) < 60  # written at its commit
    assert await relay.sweep() == 1
    assert [m["seq"] for m in sent] == [row.id]
    assert sent[0]["late"] == row.created_at.timestamp()
    assert "late" not in message_of(row)  # the hot path sends in commit order
