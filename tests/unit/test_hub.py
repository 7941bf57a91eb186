"""The hub: one group membership per topic, frames encoded once per audience."""

import asyncio

from channels.layers import InMemoryChannelLayer

from realtime.hub import LATE_MARGIN_SECONDS, Hub
from realtime.layer import group_name
from realtime.publish import ENCODERS


class FakeSocket:
    def __init__(self, kind: str, language: str = "") -> None:
        self.kind = kind
        self.language = language
        self.frames: list[tuple[int, str]] = []
        self.resynced = False
        self.restarted = False
        self.rendered: dict[str, float] = {}

    def offer(self, seq, frame):
        self.frames.append((seq, frame))

    def close_for_resync(self):
        self.resynced = True

    def close_for_restart(self):
        self.restarted = True


def event(topic, seq=1):
    return {"type": "hub.event", "topic": topic, "event": "announcement.created", "seq": seq,
            "data": {"student": {"who": "anon"}, "staff": {"who": "Ada"}},
            "html": {"*": "<li id='x'>x</li>"}}


async def until(predicate, timeout=2.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_each_audience_gets_its_own_rendering(hub):
    student, staff, page = FakeSocket("json"), FakeSocket("json"), FakeSocket("html")
    await hub.join(student, "course:c", "student")
    await hub.join(staff, "course:c", "staff")
    await hub.join(page, "course:c", "student")
    await hub.layer.group_send(group_name("course:c"), event("course:c"))
    await until(lambda: student.frames and staff.frames and page.frames)
    assert '"who":"anon"' in student.frames[0][1] and "Ada" not in student.frames[0][1]
    assert '"who":"Ada"' in staff.frames[0][1]
    assert page.frames == [(1, "<li id='x'>x</li>")]


async def test_frame_is_encoded_once_for_many_sockets(hub, monkeypatch):
    calls = []
    original = hub.encoders["json"]
    hub.encoders["json"] = lambda m, a, lang: calls.append(a) or original(m, a, lang)
    sockets = [FakeSocket("json") for _ in range(50)]
    for s in sockets:
        await hub.join(s, "course:c", "student")
    hub.deliver(event("course:c"))
    assert calls == ["student"]
    assert all(len(s.frames) == 1 for s in sockets)


async def test_html_is_encoded_once_per_language_and_each_socket_gets_its_own(hub):
    calls = []
    original = hub.encoders["html"]
    hub.encoders["html"] = lambda m, a, lang: calls.append(lang) or original(m, a, lang)
    finns = [FakeSocket("html", "fi") for _ in range(20)]
    others = [FakeSocket("html", "en") for _ in range(20)]
    for s in finns + others:
        await hub.join(s, "course:c", "student")
    message = event("course:c")
    message["html"] = {"*": "<li>Saved</li>", "*@fi": "<li>Tallennettu</li>"}
    hub.deliver(message)
    assert sorted(calls) == ["en", "fi"]
    assert all(s.frames == [(1, "<li>Tallennettu</li>")] for s in finns)
    assert all(s.frames == [(1, "<li>Saved</li>")] for s in others)


async def test_hub_joins_a_topic_group_once_and_leaves_when_last_socket_goes(hub):
    joined = []
    real_add = hub.layer.group_add

    async def spy(group, channel):
        joined.append(group)
        await real_add(group, channel)

    hub.layer.group_add = spy
    a, b = FakeSocket("json"), FakeSocket("json")
    await hub.join(a, "course:c", "student")
    await hub.join(b, "course:c", "student")
    assert joined == [group_name("course:c")]
    await hub.leave(a)
    hub.deliver(event("course:c"))
    assert not a.frames and b.frames
    await hub.leave(b)
    assert hub.socket_count == 0
    assert group_name("course:c") not in hub.layer.groups


async def test_reader_failure_closes_sockets_for_resync_and_restarts(hub, monkeypatch):
    sock = FakeSocket("json")
    await hub.join(sock, "course:c", "student")
    real_receive = hub.layer.receive
    failed = []

    async def broken(channel):
        if not failed:
            failed.append(True)
            raise ConnectionError("redis went away")
        return await real_receive(channel)

    hub.layer.receive = broken
    # Wake the reader: it is blocked in the old receive; send it something.
    await hub.layer.group_send(group_name("course:c"), event("course:c", 1))
    await until(lambda: sock.frames)
    hub.deliver({"topic": "nothing"})
    await hub.layer.group_send(group_name("course:c"), event("course:c", 2))
    await until(lambda: hub.restarts == 1 and sock.resynced)
    # After the restart the hub delivers again (it re-joined the group).
    fresh = FakeSocket("json")
    await hub.join(fresh, "course:c", "student")
    await hub.layer.group_send(group_name("course:c"), event("course:c", 3))
    await until(lambda: fresh.frames)


async def test_stopping_the_hub_closes_sockets_for_restart_not_for_resync():
    hub = Hub(InMemoryChannelLayer(), ENCODERS)
    await hub.start()
    page, idle = FakeSocket("html"), FakeSocket("json")
    await hub.join(page, "course:c", "student")
    hub.attach(idle)
    await hub.stop()
    assert page.restarted and idle.restarted
    assert not page.resynced and not idle.resynced
    assert hub.socket_count == 0


async def test_close_for_restart_closes_every_socket_and_returns_once_all_have_left(hub):
    page, api = FakeSocket("html"), FakeSocket("json")
    await hub.join(page, "course:c", "student")
    hub.attach(api)
    closing = asyncio.create_task(hub.close_for_restart())
    await until(lambda: page.restarted and api.restarted)
    assert not closing.done()  # the clients have not answered the close yet
    await hub.leave(page)
    assert not closing.done()
    await hub.leave(api)
    await asyncio.wait_for(closing, 2)
    await hub.close_for_restart()  # nothing left: returns at once


async def test_a_socket_joining_while_the_last_one_leaves_keeps_the_topic():
    """The last socket's leave drops the hub's group membership, and a join in the
    meantime adds it: with Redis the two race, and the leave's discard landing last left
    the new socket subscribed to a topic whose events never reached the hub."""
    class SlowDiscardLayer(InMemoryChannelLayer):
        gate = asyncio.Event()

        async def group_discard(self, group, channel):
            await self.gate.wait()  # lands after the join's group_add
            await super().group_discard(group, channel)

    hub = Hub(SlowDiscardLayer(), ENCODERS)
    await hub.start()
    try:
        first, second = FakeSocket("json"), FakeSocket("json")
        await hub.join(first, "thread:1", "student")
        leaving = asyncio.create_task(hub.leave(first))
        await asyncio.sleep(0)  # the leave is waiting in group_discard
        await hub.join(second, "thread:1", "student")
        hub.layer.gate.set()
        await leaving
        await hub.layer.group_send(group_name("thread:1"), event("thread:1"))
        await until(lambda: second.frames)
    finally:
        await hub.stop()


async def test_a_late_event_resyncs_pages_that_rendered_before_it_and_skips_those_after(hub):
    """The sweep sends an event out of commit order (late, with when it was written): a
    page that rendered the topic before may already show a newer event's state, so it
    renders afresh; a page whose render began well after already shows the event."""
    written = 1_000_000.0
    before, after, edge = FakeSocket("html"), FakeSocket("html"), FakeSocket("html")
    api = FakeSocket("json")
    before.rendered["course:c"] = written - 30
    after.rendered["course:c"] = written + LATE_MARGIN_SECONDS + 1
    edge.rendered["course:c"] = written + LATE_MARGIN_SECONDS / 2  # might not have it
    for socket in (before, after, edge, api):
        await hub.join(socket, "course:c", "student")
    hub.deliver({**event("course:c", seq=7), "late": written})
    assert before.resynced and edge.resynced and not before.frames and not edge.frames
    assert not after.resynced and after.frames == []
    assert [seq for seq, _ in api.frames] == [7]  # API clients order by seq themselves
    assert (hub.late_resyncs, hub.late_dropped) == (2, 1)


async def test_an_event_in_commit_order_reaches_pages_whatever_their_render_time(hub):
    page = FakeSocket("html")
    page.rendered["course:c"] = 2_000_000_000.0
    await hub.join(page, "course:c", "student")
    hub.deliver(event("course:c", seq=8))
    assert page.frames == [(8, "<li id='x'>x</li>")] and not page.resynced
