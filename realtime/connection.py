"""One live websocket: a bounded outbox drained by its own writer task.

The hub never awaits a socket. A socket that falls `buffer` frames behind is closed with
RESYNC_CLOSE_CODE; the browser reconnects and resyncs from the database.

Fast path: when nothing is in flight, `offer` runs the ASGI send at once, stepping its
coroutine by hand. Under daphne and uvicorn a websocket send only suspends when the transport
pushes back, so the frame is usually written there and then, with no task wake-up per socket
per event (at 5,000 sockets the wake-ups cost more than the writes) and no task per idle
socket. A send that does suspend is handed to a drain task to finish, and frames behind it
queue in the bounded outbox, so a slow socket still holds up nobody.

Frames go straight to the server's ASGI `send` when the socket was built as a
`LiveWebSocket` (the app's socket endpoints do that), skipping Starlette's per-message state
checks: at 5,000 sockets every layer between the hub and the transport shows in the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

log = logging.getLogger("coursewire.ws")

RESYNC_CLOSE_CODE = 4000
# The process is going away (shutdown, deploy): come back, to the next process, and resync.
SERVICE_RESTART_CLOSE_CODE = 1012
# The same, where the server refuses 1012 from an application: daphne's websocket library
# (autobahn) only lets an application send 1000 or 3000-4999.
SERVICE_RESTART_FALLBACK_CLOSE_CODE = 4012
UNAUTHENTICATED_CLOSE_CODE = 4401
# Authenticated, but refused for good (e.g. a cross-site page): the browser must not retry.
FORBIDDEN_CLOSE_CODE = 4403


class _SuspendedSend:
    """Awaitable finishing a send coroutine that suspended on `yielded` while stepped by hand.

    It hands `yielded` to the awaiting task exactly as the coroutine would have, then keeps
    delegating (what `yield from` does), so the task resumes, and may cancel, the send.
    """

    def __init__(self, coro: Coroutine[Any, Any, None], yielded: Any) -> None:
        self.coro = coro
        self.yielded = yielded

    def __await__(self) -> Generator[Any, Any, None]:
        coro, value = self.coro, self.yielded
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # forwarded into the send (cancellation), as yield from
                step = coro.throw
                arg: Any = exc
            else:
                step, arg = coro.send, sent
            try:
                value = step(arg)
            except StopIteration:
                return


def _peer_went_away(exc: Exception) -> bool:
    """A send failed because the connection is gone: uvicorn raises ClientDisconnected (an
    OSError), or a RuntimeError once its side of the socket is closed; the websockets library
    ConnectionClosed; Starlette WebSocketDisconnect."""
    if isinstance(exc, (OSError, WebSocketDisconnect)):
        return True
    if isinstance(exc, RuntimeError) and "after sending 'websocket.close'" in str(exc):
        return True
    return any(cls.__name__ == "ConnectionClosed" for cls in type(exc).__mro__)


class LiveWebSocket(WebSocket):
    """A Starlette websocket that also exposes the server's own ASGI `send`."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        super().__init__(scope, receive, send)
        self.asgi_send = send


def _text_sender(websocket: WebSocket) -> Callable[[str], Coroutine[Any, Any, None]]:
    asgi_send = getattr(websocket, "asgi_send", None)
    if asgi_send is None:
        return websocket.send_text

    def send_text(frame: str) -> Coroutine[Any, Any, None]:
        # Only ever called on an accepted socket that is not closed (LiveSocket checks).
        return asgi_send({"type": "websocket.send", "text": frame})

    return send_text


class LiveSocket:
    def __init__(self, websocket: WebSocket, kind: str, buffer: int) -> None:
        self.websocket = websocket
        self._send_text = _text_sender(websocket)
        self.kind = kind
        self.language = ""  # the Session sets the viewer's for an HTML socket
        self.buffer = buffer
        self._outbox: deque[str] = deque()
        self._held: list[tuple[int, str]] | None = None
        # The task finishing a send that suspended, then draining the outbox. None while
        # nothing is in flight, which is almost always: idle sockets carry no task at all.
        self._draining: asyncio.Task[None] | None = None
        self._gone = False  # a send failed: the peer went away
        self.closed = False
        self.close_code: int | None = None
        # topic -> when this page's render of it began (epoch seconds): a late event
        # created well before that is already in the render (realtime/hub.py).
        self.rendered: dict[str, float] = {}

    def offer(self, seq: int, frame: str) -> None:
        if self.closed:
            return
        if self._held is not None:
            self._held.append((seq, frame))
            return
        if self._draining is None:
            self._send_now(frame)
            return
        if len(self._outbox) >= self.buffer:
            self.close_for_resync()
            return
        self._outbox.append(frame)

    def send(self, frame: str) -> None:
        """Send a frame of our own (answers, errors, replays), even while live events are held."""
        if self._held is None:
            self.offer(0, frame)
        elif not self.closed:
            if self._draining is None:
                self._send_now(frame)
            else:
                self._outbox.append(frame)

    def _send_now(self, frame: str) -> None:
        """Run the send up to its first suspension; a drain task finishes it if it suspends."""
        coro = self._send_text(frame)
        try:
            yielded = coro.send(None)
        except StopIteration:
            return  # written without waiting: the common case
        except Exception as exc:
            self._send_failed(exc)
            return
        self._draining = asyncio.get_running_loop().create_task(
            self._drain(_SuspendedSend(coro, yielded)))

    def _send_failed(self, exc: Exception) -> None:
        if _peer_went_away(exc):
            # The endpoint's receive loop sees the disconnect: nothing more to send or close.
            self._gone = self.closed = True
            self._outbox.clear()
            return
        # Anything else leaves a socket that is open but gets nothing more: close it, and
        # the page reconnects and resyncs. Say so: a socket gone silent is a bug to find.
        log.warning("ws: a send failed (%r); closing the socket for a resync", exc)
        self.close(RESYNC_CLOSE_CODE)

    async def _drain(self, suspended: _SuspendedSend) -> None:
        try:
            await suspended
            while self._outbox and not self.closed:
                await self._send_text(self._outbox.popleft())
        except Exception as exc:
            self._send_failed(exc)
        finally:
            self._draining = None
        if self.closed:
            await self._close_websocket()

    def hold_live(self) -> None:
        """Buffer live events while a replay or a render from the database is sent."""
        if self._held is None:
            self._held = []

    def release_live(self, after_seq: int) -> None:
        """Send buffered live events the replay didn't already include."""
        held, self._held = self._held or [], None
        for seq, frame in held:
            if seq == 0 or seq > after_seq:
                self.offer(seq, frame)

    def close_for_resync(self) -> None:
        self.close(RESYNC_CLOSE_CODE)

    def close_for_restart(self) -> None:
        self.close(SERVICE_RESTART_CLOSE_CODE)

    def close(self, code: int = 1000) -> None:
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._outbox.clear()
        if self._draining is None:
            # The drain task closes the socket itself when it finishes.
            self._draining = asyncio.get_running_loop().create_task(self._close_websocket())

    async def _close_websocket(self) -> None:
        ws = self.websocket
        if self._gone or ws.application_state != WebSocketState.CONNECTED:
            return
        try:
            await ws.close(code=self.close_code or 1000)
        except Exception:
            asgi_send = getattr(ws, "asgi_send", None)
            if self.close_code != SERVICE_RESTART_CLOSE_CODE or asgi_send is None:
                return
            # Starlette already counts the socket closed, so go to the server directly.
            self.close_code = SERVICE_RESTART_FALLBACK_CLOSE_CODE
            with contextlib.suppress(Exception):
                await asgi_send({"type": "websocket.close", "code": self.close_code})

    async def wait_closed(self) -> None:
        """Let an in-flight send or close finish (bounded by the caller)."""
        task = self._draining
        if task is not None:
            await task
