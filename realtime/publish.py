"""The one entry point services use to announce a change: `publish`."""

from __future__ import annotations

import json
from typing import Any

from channels.layers import BaseChannelLayer

from models.events import Event
from realtime.layer import group_name
from realtime.topics import public_name

_layer: BaseChannelLayer | None = None


def use_layer(layer: BaseChannelLayer | None) -> None:
    """Set the process's channel layer (wiring calls this at start-up)."""
    global _layer
    _layer = layer


async def publish(
    topic: str,
    event: str,
    data_by_audience: dict[str, Any],
    html_by_audience: dict[str, str] | None = None,
) -> int:
    """Log an event and send it to every process with sockets on `topic`. Returns its seq.

    Call after the domain change is committed. `data_by_audience` and `html_by_audience`
    map an audience (`student`, `staff`, `self`, or `*` for everyone) to that audience's
    JSON data and HTML fragments, each rendered once here, never per socket.
    """
    row = await Event.create(topic=topic, name=event, data_by_audience=data_by_audience)
    if _layer is not None:
        await _layer.group_send(group_name(topic), {
            "type": "hub.event",
            "topic": topic,
            "event": event,
            "seq": row.id,
            "data": data_by_audience,
            "html": html_by_audience or {},
        })
    return row.id


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
