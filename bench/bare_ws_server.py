"""Bare `websockets` broadcast server: the fan-out baseline our realtime hub is compared with.

Every websocket on any path except ``/control`` is a *client*. A client may send a text frame
(e.g. a subscribe message); the server answers each one with ``{"ack": true}``. Nothing else is
sent to clients until a broadcast.

The ``/control`` path is the trigger. Text commands, one reply each:

* ``broadcast`` -> builds one ~1 KB text message and sends it to every connected client;
  replies ``{"sent": n, "seq": k, "broadcast_us": t}`` (``t``: time the send loop took in the
  server). ``--mode broadcast`` (default) uses :func:`websockets.broadcast` (encodes the payload
  once, frames it per socket); ``--mode raw`` serializes the whole websocket frame once and
  writes the same bytes to every socket's transport (what our hub does; valid here because
  compression is off, so frames carry no per-connection state).
* ``count`` -> ``{"clients": n}``.

Listens on 127.0.0.1 only. Stops on SIGINT/SIGTERM.

    python bench/bare_ws_server.py --port 8901 [--uvloop] [--mode broadcast|raw]
                                   [--frame-bytes 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.frames import Frame, Opcode
from websockets.protocol import State

HOST = "127.0.0.1"
CONTROL_PATH = "/control"


class Hub:
    """The set of connected client sockets and the broadcast sequence number."""

    def __init__(self, frame_bytes: int, mode: str) -> None:
        self.clients: set[ServerConnection] = set()
        self.frame_bytes = frame_bytes
        self.mode = mode
        self.seq = 0

    def frame(self) -> str:
        """A JSON text frame of exactly ``frame_bytes`` bytes carrying the sequence number."""
        head = json.dumps({"seq": self.seq, "pad": ""})
        pad = max(0, self.frame_bytes - len(head))
        return json.dumps({"seq": self.seq, "pad": "x" * pad})

    def broadcast(self) -> dict[str, int]:
        self.seq += 1
        message = self.frame()
        started = time.perf_counter_ns()
        if self.mode == "raw":
            self.write_raw(message)
        else:
            broadcast(self.clients, message)
        elapsed_us = (time.perf_counter_ns() - started) // 1000
        return {"sent": len(self.clients), "seq": self.seq, "broadcast_us": elapsed_us}

    def write_raw(self, message: str) -> None:
        """Serialize one unmasked text frame and write the same bytes to every open socket."""
        data = Frame(Opcode.TEXT, message.encode()).serialize(mask=False)
        for ws in self.clients:
            if ws.protocol.state is State.OPEN:
                ws.transport.write(data)


async def serve_client(hub: Hub, ws: ServerConnection) -> None:
    hub.clients.add(ws)
    try:
        async for _message in ws:
            await ws.send('{"ack": true}')
    finally:
        hub.clients.discard(ws)


async def serve_control(hub: Hub, ws: ServerConnection) -> None:
    async for command in ws:
        if command == "broadcast":
            reply: dict[str, int] = hub.broadcast()
        elif command == "count":
            reply = {"clients": len(hub.clients)}
        else:
            reply = {"error": 1}
        await ws.send(json.dumps(reply))


async def run(port: int, frame_bytes: int, mode: str) -> None:
    hub = Hub(frame_bytes, mode)

    async def handler(ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path == CONTROL_PATH:
            await serve_control(hub, ws)
        else:
            await serve_client(hub, ws)

    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(
        handler,
        HOST,
        port,
        compression=None,  # per-socket deflate would dominate a broadcast; measure bare framing
        ping_interval=None,
        max_queue=None,
        backlog=4096,
    ):
        print(f"bare_ws_server pid={os.getpid()} ws://{HOST}:{port} mode={mode}", flush=True)
        await stop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8901)
    parser.add_argument("--frame-bytes", type=int, default=1024)
    parser.add_argument("--mode", choices=["broadcast", "raw"], default="broadcast")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop instead of asyncio")
    args = parser.parse_args(argv)
    if args.uvloop:
        import uvloop

        uvloop.run(run(args.port, args.frame_bytes, args.mode))
    else:
        asyncio.run(run(args.port, args.frame_bytes, args.mode))


if __name__ == "__main__":
    sys.exit(main())
