"""LiveSocket: sends at once when it can, queues behind a send that waits, never unbounded."""

import asyncio

from starlette.websockets import WebSocketState

from realtime.connection import RESYNC_CLOSE_CODE, LiveSocket


class FakeWebSocket:
    """Records frames; while `gate` is cleared, every send waits like a backed-up transport."""

    application_state = WebSocketState.CONNECTED

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed_with: int | None = None
        self.gate = asyncio.Event()
        self.gate.set()

    async def send_text(self, text: str) -> None:
        if not self.gate.is_set():
            await self.gate.wait()
        self.sent.append(text)

    async def close(self, code: int = 1000) -> None:
        self.closed_with = code


async def test_frames_go_out_immediately_without_a_task_when_the_transport_is_free():
    ws = FakeWebSocket()
    live = LiveSocket(ws, "json", buffer=3)  # type: ignore[arg-type]
    for i in range(5):
        live.offer(i + 1, f"f{i}")
    assert ws.sent == [f"f{i}" for i in range(5)]  # synchronously, in order
    assert live._draining is None


async def test_a_send_that_waits_is_finished_later_with_the_frames_behind_it_in_order():
    ws = FakeWebSocket()
    ws.gate.clear()
    live = LiveSocket(ws, "json", buffer=10)  # type: ignore[arg-type]
    for i in range(4):
        live.offer(i + 1, f"f{i}")
    assert ws.sent == []
    ws.gate.set()
    await live.wait_closed()
    assert ws.sent == ["f0", "f1", "f2", "f3"]
    live.offer(5, "f4")  # back on the fast path
    assert ws.sent[-1] == "f4" and live._draining is None


async def test_a_socket_that_falls_behind_is_closed_for_resync_not_buffered_forever():
    ws = FakeWebSocket()
    ws.gate.clear()
    live = LiveSocket(ws, "json", buffer=3)  # type: ignore[arg-type]
    live.offer(1, "in flight")
    for i in range(3):
        live.offer(i + 2, f"queued{i}")
    assert not live.closed
    live.offer(9, "one too many")
    assert live.closed and live.close_code == RESYNC_CLOSE_CODE
    ws.gate.set()
    await asyncio.wait_for(live.wait_closed(), 2)
    assert ws.sent == ["in flight"]  # the backlog was dropped; the page will resync
    assert ws.closed_with == RESYNC_CLOSE_CODE


async def test_a_slow_socket_does_not_hold_up_a_fast_one():
    slow, fast = FakeWebSocket(), FakeWebSocket()
    slow.gate.clear()
    sockets = [LiveSocket(slow, "json", 10), LiveSocket(fast, "json", 10)]  # type: ignore[arg-type]
    for seq in range(1, 4):
        for s in sockets:
            s.offer(seq, f"e{seq}")
    assert fast.sent == ["e1", "e2", "e3"] and slow.sent == []


async def test_live_events_held_during_replay_are_sent_once():
    ws = FakeWebSocket()
    live = LiveSocket(ws, "json", buffer=10)  # type: ignore[arg-type]
    live.hold_live()
    live.offer(5, "seq5")  # also in the replay
    live.offer(7, "seq7")  # after the replay
    live.send("replayed up to 5")
    live.release_live(after_seq=5)
    assert ws.sent == ["replayed up to 5", "seq7"]


class FailingWebSocket(FakeWebSocket):
    """A send that fails: `error` is raised by the next send (after `gate`, if cleared)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    async def send_text(self, text: str) -> None:
        if not self.gate.is_set():
            await self.gate.wait()
        raise self.error


async def test_a_send_that_fails_for_no_reason_of_the_peer_closes_the_socket_for_resync(caplog):
    """Not a silent socket: a send that fails while the client is still there (a bug, a
    frame that cannot be encoded) closes the socket, so the page reconnects and resyncs."""
    for waits in (False, True):  # failing at once, and failing in the drain task
        ws = FailingWebSocket(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogate"))
        if waits:
            ws.gate.clear()
        live = LiveSocket(ws, "json", buffer=10)  # type: ignore[arg-type]
        live.offer(1, "f1")
        live.offer(2, "f2")
        ws.gate.set()
        await asyncio.wait_for(live.wait_closed(), 2)
        assert live.closed and ws.closed_with == RESYNC_CLOSE_CODE, waits
    assert "a send failed" in caplog.text


async def test_a_send_that_fails_because_the_peer_left_closes_nothing_more(caplog):
    uvicorn_closed = RuntimeError("Unexpected ASGI message 'websocket.send', after sending "
                                  "'websocket.close' or response already completed.")
    for error in (ConnectionResetError("gone"), uvicorn_closed):
        ws = FailingWebSocket(error)
        live = LiveSocket(ws, "json", buffer=10)  # type: ignore[arg-type]
        live.offer(1, "f1")
        await asyncio.wait_for(live.wait_closed(), 2)
        assert live.closed and ws.closed_with is None  # the receive loop sees the disconnect
    assert "a send failed" not in caplog.text
