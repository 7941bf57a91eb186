"""The two websocket endpoints: `/ws` (HTML fragments for htmx) and `/api/v1/events` (JSON).

Both authenticate, decide per topic whether the user may subscribe, and bring the client
up to date on (re)connect: `/ws` re-renders the page's live regions, `/api/v1/events`
replays the event log after the client's `since`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from markupsafe import escape
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.auth.session import current_user, uses_session_auth
from app.errors import BadInput, CoursewireError
from app.http import parse_json_text
from app.text import json_problem
from models.events import Event
from models.users import User
from realtime.connection import FORBIDDEN_CLOSE_CODE, UNAUTHENTICATED_CLOSE_CODE, LiveSocket
from realtime.publish import for_audience, json_frame
from realtime.resync import resync_fragments
from realtime.topics import Topic, UnknownTopic, authorize, parse_topic

log = logging.getLogger("coursewire.ws")

MAX_FRAME_CHARS = 16_384
MAX_TOPICS_PER_SOCKET = 200
REPLAY_LIMIT = 1000


def error_frame(code: str, message: str, fields: dict[str, Any] | None = None) -> str:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return json.dumps({"error": body})


class Session:
    """One connected socket: its user, its subscriptions, its outbox."""

    def __init__(self, websocket: WebSocket, user: User, kind: str) -> None:
        runtime = websocket.app.state.runtime
        self.websocket = websocket
        self.user = user
        self.hub = runtime.hub
        self.live = LiveSocket(websocket, kind, runtime.settings.socket_buffer_frames)
        self.audiences: dict[str, str] = {}  # canonical topic -> audience
        self.hub.attach(self.live)

    async def subscribe(self, raw_topics: Any) -> tuple[list[Topic], list[str], dict[str, str]]:
        """Join every topic the user may read; return (granted, denied, reasons)."""
        if not isinstance(raw_topics, list):
            raise ValueError("'subscribe' must be a list of topic strings")
        granted: list[Topic] = []
        denied: list[str] = []
        reasons: dict[str, str] = {}
        for raw in raw_topics:
            label = raw if isinstance(raw, str) else repr(raw)
            try:
                topic = parse_topic(raw, self.user)
                audience = await authorize(topic, self.user)
            except UnknownTopic as exc:
                denied.append(label)
                reasons[label] = str(exc)
                continue
            except Exception:
                # A domain authorizer choking on a strange key (an id too large for its
                # column, a digit that isn't ASCII) must deny that topic, not drop the socket.
                log.warning("ws: authorizing topic %r failed; denied", label, exc_info=True)
                audience = None
            if audience is None:
                denied.append(label)
                reasons[label] = "not allowed"
                continue
            if len(self.audiences) >= MAX_TOPICS_PER_SOCKET and topic.name not in self.audiences:
                denied.append(label)
                reasons[label] = f"at most {MAX_TOPICS_PER_SOCKET} topics per socket"
                continue
            self.audiences[topic.name] = audience
            await self.hub.join(self.live, topic.name, audience)
            granted.append(topic)
        return granted, denied, reasons

    async def close(self) -> None:
        self.live.close()
        await self.hub.leave(self.live)


async def _refuse(websocket: WebSocket, code: str, message: str, close_code: int) -> None:
    await websocket.accept()
    await websocket.send_text(error_frame(code, message))
    await websocket.close(code=close_code)


def _same_origin(websocket: WebSocket) -> bool:
    """True when the handshake's Origin is this site (its Host, or the public URL's host).

    Browsers always send Origin on a websocket handshake and attach the session cookie
    whatever page opened the socket, so a cookie alone doesn't prove the page is ours
    (cross-site websocket hijacking). Only bearer-token clients may omit Origin.
    """
    origin = websocket.headers.get("origin")
    if not origin:
        return False
    origin_host = urlsplit(origin).netloc.lower()
    if not origin_host:
        return False
    allowed = {websocket.headers.get("host", "").lower()}
    public_url = websocket.app.state.runtime.settings.public_url
    allowed.add(urlsplit(public_url).netloc.lower())
    return origin_host in allowed - {""}


async def _authenticate(websocket: WebSocket) -> User | None:
    try:
        user = await current_user(websocket)
    except CoursewireError as exc:
        await _refuse(websocket, exc.code, exc.message, UNAUTHENTICATED_CLOSE_CODE)
        return None
    if user is None:
        await _refuse(websocket, "not_authenticated", "Please log in.",
                      UNAUTHENTICATED_CLOSE_CODE)
        return None
    if uses_session_auth(websocket) and not _same_origin(websocket):
        await _refuse(websocket, "permission_denied",
                      "This socket was opened from another site (Origin does not match).",
                      FORBIDDEN_CLOSE_CODE)
        return None
    return user


def _parse_frame(text: str | None) -> dict[str, Any]:
    if text is None:
        raise ValueError("send text frames containing JSON objects")
    if len(text) > MAX_FRAME_CHARS:
        raise ValueError(f"frames are limited to {MAX_FRAME_CHARS} characters")
    try:
        frame = parse_json_text(text)
    except BadInput as exc:
        raise ValueError(exc.message) from None
    if not isinstance(frame, dict):
        raise ValueError("a frame must be a JSON object")
    problem = json_problem(frame, max_depth=8)
    if problem is not None:
        raise ValueError(problem)
    return frame


FrameHandler = Callable[["Session", dict[str, Any]], Awaitable[None]]
OpenHandler = Callable[["Session"], Awaitable[None]]


async def _serve(websocket: WebSocket, kind: str, on_frame: FrameHandler,
                 on_open: OpenHandler | None = None) -> None:
    user = await _authenticate(websocket)
    if user is None:
        return
    await websocket.accept()
    session = Session(websocket, user, kind)
    try:
        if on_open is not None:
            await _guarded(session, on_open(session))
        while not session.live.closed:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            try:
                frame = _parse_frame(message.get("text"))
            except ValueError as exc:
                session.live.send(error_frame("bad_frame", str(exc)))
                continue
            await _guarded(session, on_frame(session, frame))
    except WebSocketDisconnect:
        pass
    finally:
        await session.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(session.live.wait_closed(), timeout=2)


async def _guarded(session: Session, handling: Awaitable[None]) -> None:
    """Run a frame's handling; whatever goes wrong is an error frame, the socket stays up."""
    try:
        await handling
    except ValueError as exc:
        session.live.send(error_frame("bad_frame", str(exc)))
    except CoursewireError as exc:
        session.live.send(error_frame(exc.code, exc.message))
    except (WebSocketDisconnect, asyncio.CancelledError):
        raise
    except Exception:
        log.exception("ws: handling a frame failed")
        session.live.send(error_frame("server_error",
                                      "Something went wrong handling that frame."))


# ---- /api/v1/events (JSON) -------------------------------------------------------------

async def _replay(session: Session, topics: list[Topic], since: int) -> int:
    rows = await Event.filter(
        topic__in=[t.name for t in topics], id__gt=since
    ).order_by("id").limit(REPLAY_LIMIT)
    last = since
    for row in rows:
        data = for_audience(row.data_by_audience, session.audiences[row.topic])
        if data is not None:
            session.live.send(json_frame(row.topic, row.name, row.id, data))
        last = row.id
    if len(rows) == REPLAY_LIMIT:
        session.live.send(json.dumps({"event": "resync.required", "data": {"after_seq": last}}))
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
    answer = {"subscribed": [_label(t) for t in granted], "denied": denied}
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
    keep = {t: a for t, a in session.audiences.items() if t not in names}
    await session.hub.leave(session.live)
    session.hub.attach(session.live)
    session.audiences = keep
    for topic, audience in keep.items():
        await session.hub.join(session.live, topic, audience)
    session.live.send(json.dumps({"unsubscribed": sorted(
        "user:me" if n.startswith("user:") else n for n in names)}))


def _label(topic: Topic) -> str:
    return "user:me" if topic.kind == "user" else topic.name


async def events_endpoint(websocket: WebSocket) -> None:
    await _serve(websocket, "json", _on_api_frame)


# ---- /ws (HTML fragments for htmx) ------------------------------------------------------

async def _subscribe_page(session: Session, raw_topics: list[str]) -> None:
    # Join first, then render: an event landing in between is both in the fresh render
    # and delivered live, and our fragments are idempotent swaps by id.
    granted, denied, reasons = await session.subscribe(raw_topics)
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
    raw = session.websocket.query_params.get("topics", "")
    topics = [t for t in raw.split(",") if t]
    await _subscribe_page(session, topics)


async def _on_page_frame(session: Session, frame: dict[str, Any]) -> None:
    if "subscribe" in frame:
        await _subscribe_page(session, frame["subscribe"])
        return
    if "ping" in frame:
        return
    raise ValueError("expected {\"subscribe\": [...]}")


async def page_socket_endpoint(websocket: WebSocket) -> None:
    await _serve(websocket, "html", _on_page_frame, on_open=_on_page_open)
