"""Closing a socket for a service restart: 1012, or 4012 where the server refuses 1012."""

from __future__ import annotations

from typing import Any

from starlette.websockets import WebSocketState

from realtime.connection import (
    SERVICE_RESTART_CLOSE_CODE,
    SERVICE_RESTART_FALLBACK_CLOSE_CODE,
    LiveSocket,
)


class ServerSocket:
    """A websocket whose server accepts only some close codes, as daphne's autobahn does."""

    def __init__(self, accepted: set[int]) -> None:
        self.application_state = WebSocketState.CONNECTED
        self.accepted = accepted
        self.sent: list[dict[str, Any]] = []

    async def asgi_send(self, message: dict[str, Any]) -> None:
        if message["code"] not in self.accepted:
            raise ValueError(f"invalid close code {message['code']}")
        self.sent.append(message)

    async def close(self, code: int = 1000) -> None:
        self.application_state = WebSocketState.DISCONNECTED  # as Starlette does, first
        await self.asgi_send({"type": "websocket.close", "code": code})


async def _close_for_restart(ws: ServerSocket) -> LiveSocket:
    live = LiveSocket(ws, "html", buffer=4)  # type: ignore[arg-type]
    live.close_for_restart()
    await live.wait_closed()
    return live


async def test_a_restart_closes_with_1012_where_the_server_allows_it():
    ws = ServerSocket(accepted={1000, 1012, 4012})
    live = await _close_for_restart(ws)
    assert ws.sent == [{"type": "websocket.close", "code": SERVICE_RESTART_CLOSE_CODE}]
    assert live.close_code == SERVICE_RESTART_CLOSE_CODE


async def test_a_restart_falls_back_to_4012_where_the_server_refuses_1012():
    ws = ServerSocket(accepted={1000, *range(3000, 5000)})
    live = await _close_for_restart(ws)
    assert ws.sent == [{"type": "websocket.close", "code": SERVICE_RESTART_FALLBACK_CLOSE_CODE}]
    assert live.close_code == SERVICE_RESTART_FALLBACK_CLOSE_CODE
