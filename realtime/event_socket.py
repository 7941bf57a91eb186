"""`/api/v1/events`: events as JSON for API clients, with replay after `since`."""

from __future__ import annotations

import json
from typing import Any

from starlette.websockets import WebSocket

from realtime.endpoints import Session, error_frame, serve, topic_label
from realtime.replay import replay_frames
from realtime.topics import Topic, UnknownTopic, parse_topic


async def _replay(session: Session, topics: list[Topic], since: int) -> int:
    frames, last = await replay_frames(
        session.user, {t.name: session.audiences[t.name] for t in topics}, since)
    for frame in frames:
        session.live.send(frame)
    return last


async def _on_api_frame(session: Session, frame: dict[str, Any]) -> None:
    if "ping" in frame:
        session.live.send(json.dumps({"pong": frame["ping"]}))
        return
    if "unsubscribe" in frame:
        await _unsubscribe(session, frame["unsubscribe"])
        return
    if "subscribe" not in frame:
        raise ValueError('expected {"subscribe": [...]}, {"unsubscribe": [...]} or {"ping": ...}')
    since = frame.get("since")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
        raise ValueError("'since' must be a non-negative integer sequence number")
    if since is not None:
        session.live.hold_live()
    granted, denied, reasons = await session.subscribe(frame["subscribe"])
    answer = {"subscribed": [topic_label(t) for t in granted], "denied": denied}
    session.live.send(json.dumps(answer))
    if any(reason != "not allowed" for reason in reasons.values()):
        session.live.send(error_frame("unknown_topic", "Some topics do not exist.", reasons))
    if since is not None:
        last = await _replay(session, granted, since)
        session.live.release_live(last)


async def _unsubscribe(session: Session, raw_topics: Any) -> None:
    if not isinstance(raw_topics, list):
        raise ValueError("'unsubscribe' must be a list of topic strings")
    names = set()
    for raw in raw_topics:
        try:
            names.add(parse_topic(raw, session.user).name)
        except UnknownTopic:
            continue
    await session.rejoin({t: a for t, a in session.audiences.items() if t not in names})
    session.live.send(json.dumps({"unsubscribed": sorted(
        "user:me" if n.startswith("user:") else n for n in names)}))


async def events_endpoint(websocket: WebSocket) -> None:
    await serve(websocket, "json", _on_api_frame)
