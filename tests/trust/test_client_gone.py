"""A client (or nginx in front of the app) that leaves before its request's body was read:
one line in the log and no traceback, as nobody is left to answer and it is no bug (the
exam storm's logs held such tracebacks: nginx gave up on requests still queued)."""

from __future__ import annotations

import logging


async def test_a_client_gone_before_its_body_was_read_is_one_line_not_a_traceback(
        app, caplog):
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/v1/auth/token",
             "raw_path": b"/api/v1/auth/token", "root_path": "", "query_string": b"",
             "headers": [(b"host", b"test"), (b"content-type", b"application/json"),
                         (b"content-length", b"40")],
             "client": ("127.0.0.1", 40000), "server": ("test", 80)}
    with caplog.at_level(logging.INFO):
        await app(scope, receive, send)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 499
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert any("went away before its request was read" in r.getMessage()
               for r in caplog.records)
