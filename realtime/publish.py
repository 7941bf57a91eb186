"""The one entry point services use to announce a change: `publish`."""

from __future__ import annotations

import json
from typing import Any

from realtime.outbox import write_event
from realtime.topics import public_name


async def publish(
    topic: str,
    event: str,
    data_by_audience: dict[str, Any],
    html_by_audience: dict[str, str] | None = None,
) -> int:
    """Log an event for every process with sockets on `topic`. Returns its seq.

    Call inside the transaction that makes the change (`async with in_transaction():`):
    the event row is written in it, and is sent to the channel layer only once it commits
    (realtime/outbox.py); a rollback announces nothing. Called outside a transaction, after
    the change committed, the event is sent at once. `data_by_audience` and
    `html_by_audience` map an audience (`student`, `staff`, `self`, or `*` for everyone) to
    that audience's JSON data and HTML fragments, each rendered once here, never per socket.
    Never fails because the channel layer is down: the relay retries until it takes it.
    """
    return await write_event(topic, event, data_by_audience, html_by_audience)


def for_audience(by_audience: dict[str, Any], audience: str) -> Any:
    if audience in by_audience:
        return by_audience[audience]
    return by_audience.get("*")


def json_frame(topic: str, event: str, seq: int, data: Any) -> str:
    return json.dumps({"topic": public_name(topic), "event": event, "seq": seq, "data": data},
                      separators=(",", ":"))


def encode_json(message: dict[str, Any], audience: str) -> str | None:
    data = for_audience(message["data"], audience)
    if data is None:
        return None
    return json_frame(message["topic"], message["event"], message["seq"], data)


def encode_html(message: dict[str, Any], audience: str) -> str | None:
    return for_audience(message.get("html") or {}, audience)


ENCODERS = {"json": encode_json, "html": encode_html}
