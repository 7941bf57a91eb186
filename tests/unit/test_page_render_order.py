"""A page socket's (re)connect renders its regions from the database while live events
keep arriving: an event delivered during the render must reach the page after the render
(the older render would otherwise undo it), and the page's render time is recorded per
topic for late events (realtime/hub.py)."""

from __future__ import annotations

import time
from types import SimpleNamespace

from realtime import page_socket
from realtime.connection import LiveSocket


class FakeWebSocket:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_text(self, frame: str) -> None:
        self.sent.append(frame)


class FakeSession:
    def __init__(self) -> None:
        self.websocket = FakeWebSocket()
        self.live = LiveSocket(self.websocket, "html", buffer=100)  # type: ignore[arg-type]
        self.user = SimpleNamespace(id=1)
        self.audiences: dict[str, str] = {}

    async def subscribe(self, raw_topics):
        topics = [SimpleNamespace(name=raw) for raw in raw_topics]
        for topic in topics:
            self.audiences[topic.name] = "student"
        return topics, [], {}


async def test_an_event_delivered_during_the_render_reaches_the_page_after_it(monkeypatch):
    session = FakeSession()

    async def render(topic, user, audience):
        # The render read the database; now an event committed after that read arrives.
        session.live.offer(41, '<li id="x">newer</li>')
        return '<li id="x">rendered</li>'

    monkeypatch.setattr(page_socket, "resync_fragments", render)
    before = time.time()
    await page_socket._subscribe_page(session, ["course:c"])  # type: ignore[arg-type]
    assert session.websocket.sent == ['<li id="x">rendered</li>', '<li id="x">newer</li>']
    assert before <= session.live.rendered["course:c"] <= time.time()
    session.live.offer(42, "after")  # held no longer
    assert session.websocket.sent[-1] == "after"


async def test_a_failed_render_still_releases_the_held_events(monkeypatch):
    session = FakeSession()

    async def subscribe(raw_topics):
        session.live.offer(5, "held")
        raise ValueError("'subscribe' must be a list of topic strings")

    session.subscribe = subscribe  # type: ignore[method-assign]
    try:
        await page_socket._subscribe_page(session, ["x"])  # type: ignore[arg-type]
    except ValueError:
        pass
    assert session.websocket.sent == ["held"]
