"""`/ws`: HTML fragments for htmx pages, with the page's live regions fresh on connect."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from markupsafe import escape
from starlette.websockets import WebSocket

from realtime.endpoints import Session, error_frame, serve
from realtime.replay import resync_frame, too_old
from realtime.resync import LOADED, parse_loaded, resync_fragments

log = logging.getLogger("coursewire.ws")


async def _subscribe_page(session: Session, raw_topics: list[str]) -> None:
    # Join first, then render, holding live events until the render is sent: an event
    # committed after the render read the database then reaches the page after it, not
    # before (where the older render would undo it). Held events the render already shows
    # come first and are repeated by it; the hot path sends in commit order, so the last
    # frame for a region is its newest. Events sent out of order (late) are the hub's.
    started = time.time()
    session.live.hold_live()
    try:
        await _join_and_render(session, raw_topics, started)
    finally:
        session.live.release_live(0)


async def _join_and_render(session: Session, raw_topics: list[str], started: float) -> None:
    granted, denied, reasons = await session.subscribe(raw_topics)
    for topic in granted:
        session.live.rendered[topic.name] = started
    fragments = []
    for topic in granted:
        try:
            fragments.append(await resync_fragments(topic, session.user,
                                                    session.audiences[topic.name]))
        except Exception:
            # One region failing to render must not cost the page its other regions.
            log.exception("ws: resync of %s failed", topic.name)
    html = "".join(fragments)
    if html:
        session.live.send(html)
    if denied:
        log.info("ws: %s denied %s", session.user.id, reasons)
        # htmx swaps this into the page's hidden #live-denied (and ignores JSON frames).
        session.live.send(denied_fragment(denied, reasons))
    unknown = {label: reason for label, reason in reasons.items() if reason != "not allowed"}
    if unknown:
        session.live.send(error_frame("unknown_topic", "Some topics do not exist.", unknown))


def denied_fragment(denied: list[str], reasons: dict[str, str]) -> str:
    """An out-of-band swap for `#live-denied` naming the topics this page won't get live."""
    shown = [json.dumps(label)[1:-1] for label in denied]  # control characters escaped
    items = "".join(
        f"<li>{escape(label)}: {escape(reasons.get(raw, 'not allowed'))}</li>"
        for raw, label in zip(denied, shown, strict=True))
    return (f'<div id="live-denied" hx-swap-oob="true" hidden '
            f'data-denied="{escape(json.dumps(denied))}"><ul>{items}</ul></div>')


async def _on_page_open(session: Session) -> None:
    params = session.websocket.query_params
    topics = [t for t in params.get("topics", "").split(",") if t]
    # How far the page's "load more" lists reach: their resync renders that much.
    LOADED.set(parse_loaded(params.get("loaded", "")))
    since = params.get("since", "")
    if since.isdigit() and len(since) < 20:
        # The page knows the seq it was rendered at: older than the kept log, it is told
        # (its regions are re-rendered below in any case, which is the full resync).
        first_kept = await too_old(int(since))
        if first_kept is not None:
            session.live.send(resync_frame("pruned", retained_from_seq=first_kept))
    await _subscribe_page(session, topics)


async def _on_page_frame(session: Session, frame: dict[str, Any]) -> None:
    if "subscribe" in frame:
        await _subscribe_page(session, frame["subscribe"])
        return
    if "ping" in frame:
        return
    raise ValueError("expected {\"subscribe\": [...]}")


async def page_socket_endpoint(websocket: WebSocket) -> None:
    await serve(websocket, "html", _on_page_frame, on_open=_on_page_open)
