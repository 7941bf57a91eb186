"""A lean HTTP/1.1 client for the load scripts, so that the client is not the bottleneck.

At 9,000 students on this 2-core box, httpx used a whole core in the exam storm's client
(py-spy: 85% of the client's CPU inside httpx and httpcore: its pool scans, anyio's
cancel scopes, header models), as much as the server it was measuring. This client does the
least a browser's connection does: keep-alive connections (at most `size` per client, one
request on a connection at a time), a request written in one piece, the reply read with
asyncio's stream reader (status line, headers, then a Content-Length or chunked body).

Errors are raised as `LeanHTTPError` (the connection is dropped, never reused): a refused
or reset connection, a reply cut short, a malformed reply, or `timeout` seconds without one.
A connection idle for `keepalive_expiry` seconds is not reused (uvicorn closes them after 5 s),
so a request is never written onto a connection the server has just closed.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson


class LeanHTTPError(Exception):
    """The request got no complete reply."""


@dataclass(slots=True)
class Reply:
    status_code: int
    content: bytes

    def json(self) -> Any:
        return orjson.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


@dataclass(slots=True)
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float


class LeanClient:
    def __init__(self, base_url: str, *, size: int = 20, timeout: float = 300.0,
                 keepalive_expiry: float = 4.0) -> None:
        url = urlsplit(base_url)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"an http:// address is needed, not {base_url!r}")
        self.host, self.port = url.hostname, url.port or 80
        self._host_header = f"Host: {url.netloc}\r\n".encode()
        self.size, self.timeout, self.expiry = size, timeout, keepalive_expiry
        self._idle: list[_Conn] = []
        self._open = 0  # connections open or being opened
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Reply:
        return await self.request("GET", path, headers=headers)

    async def post(self, path: str, *, headers: dict[str, str] | None = None,
                   json: object = None) -> Reply:
        return await self.request("POST", path, headers=headers, json=json)

    async def put(self, path: str, *, headers: dict[str, str] | None = None,
                  json: object = None) -> Reply:
        return await self.request("PUT", path, headers=headers, json=json)

    async def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                      json: object = None) -> Reply:
        body = b"" if json is None else orjson.dumps(json)
        head = [f"{method} {path} HTTP/1.1\r\n".encode(), self._host_header]
        for name, value in (headers or {}).items():
            head.append(f"{name}: {value}\r\n".encode())
        if json is not None:
            head.append(b"Content-Type: application/json\r\n")
        if json is not None or method in ("POST", "PUT"):
            head.append(b"Content-Length: %d\r\n" % len(body))
        head.append(b"\r\n")
        message = b"".join(head) + body
        try:
            async with asyncio.timeout(self.timeout):
                conn = await self._checkout()
                try:
                    conn.writer.write(message)
                    reply, keep = await _read_reply(conn.reader)
                except BaseException:
                    self._discard(conn)
                    raise
        except TimeoutError as exc:
            raise LeanHTTPError(f"no reply in {self.timeout:g} s") from exc
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError) as exc:
            raise LeanHTTPError(f"{type(exc).__name__}: {exc}") from exc
        if keep:
            self._checkin(conn)
        else:
            self._discard(conn)
        return reply

    async def _checkout(self) -> _Conn:
        while True:
            now = time.monotonic()
            while self._idle:
                conn = self._idle.pop()
                if now - conn.idle_since < self.expiry and not conn.reader.at_eof():
                    return conn
                self._discard(conn)
            if self._open < self.size:
                self._open += 1
                try:
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                except BaseException:
                    self._open -= 1
                    self._wake()
                    raise
                return _Conn(reader, writer, now)
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                await waiter
            except BaseException:
                if not waiter.cancelled() and waiter.done():
                    self._wake()  # it was woken for a connection it will not take
                raise

    def _checkin(self, conn: _Conn) -> None:
        conn.idle_since = time.monotonic()
        self._idle.append(conn)
        self._wake()

    def _discard(self, conn: _Conn) -> None:
        self._open -= 1
        conn.writer.transport.abort()
        self._wake()

    def _wake(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def aclose(self) -> None:
        for conn in self._idle:
            conn.writer.transport.abort()
        self._open -= len(self._idle)
        self._idle.clear()


async def _read_reply(reader: asyncio.StreamReader) -> tuple[Reply, bool]:
    """(the reply, whether the connection may be reused)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1 status line: {lines[0][:80]!r}")
    status = int(parts[1])
    length, chunked, keep = None, False, parts[0] == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif name == "connection":
            keep = value.strip().lower() != "close"
    if chunked:
        pieces = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers from our servers
                break
            pieces.append(await reader.readexactly(size))
            await reader.readexactly(2)
        content = b"".join(pieces)
    elif length is not None:
        content = await reader.readexactly(length)
    elif status in (204, 304) or 100 <= status < 200:
        content = b""
    else:
        content, keep = await reader.read(), False  # the body ends with the connection
    return Reply(status, content), keep
