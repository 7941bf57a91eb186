"""The AsyncAPI 3.0 document of the live event stream, served at /api/v1/asyncapi.json.

Built from the event types every installed package handed the Runtime (their events
modules' `EVENT_TYPES`, core.event_types), so it lists exactly what this process can send;
a test checks it names every event of the API contract. Each event arrives as a frame
`{topic, event, seq, data}` whose `data` is the event's payload type; the control frames
(subscribe and its answer, heartbeat, resync.required) are described beside them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.event_types import EventType, json_schema
from core.openapi import EVENTS_RECONNECT

CHANNEL = "events"
ADDRESS = "/api/v1/events"
_TOPICS = {"type": "array", "items": {"type": "string"}}


def _frame(event: EventType) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["topic", "event", "seq", "data"],
        "properties": {
            "topic": {"type": "string", "description": "one of: " + ", ".join(event.topics)},
            "event": {"const": event.name},
            "seq": {"type": "integer", "description": "pass the last one applied as `since`"},
            "data": json_schema(event.payload),
        },
    }


def _control_messages() -> dict[str, dict[str, Any]]:
    return {
        "subscribe": {
            "summary": "Sent by the client: the topics to join, and optionally `since`.",
            "payload": {"type": "object", "required": ["subscribe"], "properties": {
                "subscribe": _TOPICS, "since": {"type": "integer"}}}},
        "subscribed": {
            "summary": "The answer to `subscribe`: topics joined and topics refused.",
            "payload": {"type": "object", "required": ["subscribed", "denied"], "properties": {
                "subscribed": _TOPICS, "denied": _TOPICS}}},
        "heartbeat": {
            "summary": "Keeps the connection alive; carries no data.",
            "payload": {"type": "object", "required": ["event"],
                        "properties": {"event": {"const": "heartbeat"}}}},
        "resync.required": {
            "summary": "More events were missed than can be replayed: refetch.",
            "payload": {"type": "object", "required": ["event", "data"], "properties": {
                "event": {"const": "resync.required"},
                "data": {"type": "object", "properties": {"after_seq": {"type": "integer"}}}}}},
    }


def asyncapi_document(event_types: Iterable[EventType]) -> dict[str, Any]:
    messages: dict[str, dict[str, Any]] = {}
    for event in sorted(event_types, key=lambda e: e.name):
        messages[event.name] = {"name": event.name, "summary": event.summary,
                                "payload": _frame(event)}
    control = _control_messages()
    received = [*messages, *(name for name in control if name != "subscribe")]
    messages.update(control)

    def refs(names: Iterable[str]) -> list[dict[str, str]]:
        return [{"$ref": f"#/channels/{CHANNEL}/messages/{name}"} for name in names]

    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Coursewire events", "version": "1", "description":
                 "Authenticate with a bearer token (Authorization header or ?token=). "
                 + EVENTS_RECONNECT},
        "defaultContentType": "application/json",
        "channels": {CHANNEL: {
            "address": ADDRESS,
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
        }},
        "operations": {
            "receiveEvents": {"action": "receive", "channel": {"$ref": f"#/channels/{CHANNEL}"},
                              "messages": refs(received)},
            "subscribe": {"action": "send", "channel": {"$ref": f"#/channels/{CHANNEL}"},
                          "messages": refs(["subscribe"])},
        },
        "components": {"messages": messages},
    }


async def _asyncapi(request: Request) -> JSONResponse:
    return JSONResponse(asyncapi_document(request.app.state.runtime.event_types))


asyncapi_route = Route("/api/v1/asyncapi.json", _asyncapi, include_in_schema=False)
