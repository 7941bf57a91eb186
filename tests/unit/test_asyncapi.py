"""The AsyncAPI document of the event stream: its shape, and every event of the contract."""

from __future__ import annotations

import importlib
from typing import Any

import httpx

from app.asyncapi import asyncapi_document
from app.runtime import Runtime

# The API contract's events (the JSON API's "Events" section), by the module defining them.
CONTRACT = {
    "grading.events": ("grade.updated", "submission.status"),
    "forum.events": ("forum.thread.created", "forum.post.created", "forum.post.updated",
                     "forum.post.hidden", "forum.moderation.queued"),
    "peer_review.events": ("peer_review.assigned", "peer_review.result"),
    "announcements.events": ("announcement.created",),
}


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_the_document_is_asyncapi_3_shaped_and_every_reference_resolves(installed: Runtime):
    doc = asyncapi_document(installed.event_types)
    assert doc["asyncapi"] == "3.0.0"
    assert {"title", "version"} <= set(doc["info"])
    channel = doc["channels"]["events"]
    assert channel["address"] == "/api/v1/events"
    assert {op["action"] for op in doc["operations"].values()} == {"send", "receive"}
    for ref in _refs(doc):
        _resolve(doc, ref)
    assert set(channel["messages"]) == set(doc["components"]["messages"])
    for name, message in doc["components"]["messages"].items():
        assert message["payload"]["type"] == "object", name


def test_every_installed_event_is_a_frame_with_its_typed_payload(installed: Runtime):
    assert installed.event_types, "no package handed over its EVENT_TYPES"
    messages = asyncapi_document(installed.event_types)["components"]["messages"]
    for event in installed.event_types:
        frame = messages[event.name]["payload"]
        assert frame["required"] == ["topic", "event", "seq", "data"]
        assert frame["properties"]["event"] == {"const": event.name}
        data = frame["properties"]["data"]
        assert all(v["type"] == "object" for v in data.get("anyOf", [data])), event.name
        assert messages[event.name]["summary"] == event.summary


def test_every_contract_event_a_domain_defines_is_listed(installed: Runtime):
    names = set(asyncapi_document(installed.event_types)["components"]["messages"])
    checked = 0
    for module_name, events in CONTRACT.items():
        defined = getattr(importlib.import_module(module_name), "EVENT_TYPES", None)
        assert defined is not None, f"{module_name} declares no EVENT_TYPES"
        assert set(events) <= {e.name for e in defined}, module_name
        assert set(events) <= names, module_name
        checked += 1
    assert checked >= 1
    assert {"content.published", "content.unit.published", "content.draft.updated"} <= names


async def test_served_and_linked_from_the_openapi_document(app, client: httpx.AsyncClient):
    served = (await client.get("/api/v1/asyncapi.json")).json()
    openapi = (await client.get("/api/v1/openapi.json")).json()
    assert served == asyncapi_document(app.runtime.event_types)
    assert openapi["externalDocs"]["url"] == "/api/v1/asyncapi.json"
    assert "/api/v1/asyncapi.json" in openapi["paths"]
