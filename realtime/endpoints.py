"""What the two websocket endpoints share: `/ws` (HTML fragments for htmx, page_socket.py)
and `/api/v1/events` (JSON, event_socket.py).

Both authenticate, decide per topic whether the user may subscribe (a `Session` holds a
socket's user, subscriptions and outbox, and follows rights changes), and bring the client
up to date on (re)connect: `/ws` re-renders the page's live regions, `/api/v1/events`
replays the event log after the client's `since` (replay.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect

from core.errors import BadInput, CoursewireError
from core.http import parse_json_text
from core.i18n import SESSION_KEY, negotiate, set_language
from core.text import json_problem
from models.users import User
from realtime.auth import current_user, uses_session_auth
from realtime.connection import FORBIDDEN_CLOSE_CODE, UNAUTHENTICATED_CLOSE_CODE, LiveSocket
from realtime.rights import credential_of
from realtime.topics import Topic, UnknownTopic, authorize, parse_topic

log = logging.getLogger("coursewire.ws")

MAX_FRAME_CHARS = 16_384
MAX_TOPICS_PER_SOCKET = 200


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
        # The user's setting, else what the session chose, else the browser's: the live
        # frames and the resync fragments are in the language of the page they update.
        chosen = user.language or websocket.scope.get("session", {}).get(SESSION_KEY)
        self.language = negotiate(chosen, websocket.headers.get("accept-language"))
        set_language(self.language)
        if kind == "html":
            self.live.language = self.language
        self.audiences: dict[str, str] = {}  # canonical topic -> audience
        self.topics: dict[str, Topic] = {}  # canonical topic -> topic
        self.hub.attach(self.live)
        # Rights follow changes (rights.py): the hub tells us when they change or the
        # session ends, and the credential's expiry closes the socket by itself.
        credential = credential_of(websocket)
        self.session_key = credential.session_key
        self._rights = asyncio.Lock()  # a re-check and a subscribe don't interleave
        self._rechecks: set[asyncio.Task[None]] = set()
        self._expiry: asyncio.TimerHandle | None = None
        if credential.expires_at is not None:
            self._expiry = asyncio.get_running_loop().call_later(
                max(0.0, credential.expires_at - time.time()), self.sign_out,
                credential.expired)
        # A re-check is started by the hub's reader, but must read rights as this socket
        # does (the shell may have set context for it, e.g. "view as student").
        self._context = contextvars.copy_context()
        self.hub.watch(user.id, self)

    def rights_changed(self) -> None:
        task = asyncio.get_running_loop().create_task(self._recheck(),
                                                        context=self._context.copy())
        self._rechecks.add(task)
        task.add_done_callback(self._rechecks.discard)

    def session_ended(self, session_key: str | None) -> None:
        if session_key is None or session_key == self.session_key:
            self.sign_out("You have been signed out.")

    def sign_out(self, message: str) -> None:
        """Close with 4401: the credential that opened this socket no longer holds."""
        self.live.send(error_frame("not_authenticated", message))
        self.live.close(UNAUTHENTICATED_CLOSE_CODE)

    async def _recheck(self) -> None:
        """Authorize every held topic again, against the database as it is now."""
        async with self._rights:
            if self.live.closed:
                return
            user = await User.get_or_none(id=self.user.id)
            if user is None:
                self.sign_out("This account no longer exists.")
                return
            self.user = user
            keep: dict[str, str] = {}
            revoked: list[str] = []
            for name, topic in self.topics.items():
                try:
                    audience = await authorize(topic, user)
                except Exception:
                    log.warning("ws: re-authorizing %r failed; dropped", name, exc_info=True)
                    audience = None
                if audience is None:
                    revoked.append(topic_label(topic))
                else:
                    keep[name] = audience
            if keep == self.audiences:
                return
            log.info("ws: rights of %s changed; revoked %s", user.id, revoked)
            if self.live.kind == "html":
                # The page was rendered with the old rights: a lost topic signs it out (4403,
                # no retry: a reload renders what the user may see now); a new audience only
                # needs the regions re-rendered, which a resync reconnect does.
                if revoked:
                    self.live.close(FORBIDDEN_CLOSE_CODE)
                else:
                    self.live.close_for_resync()
                return
            await self.rejoin(keep)
            if revoked:
                self.live.send(json.dumps({"denied": revoked, "reasons": dict.fromkeys(
                    revoked, "no longer allowed")}))

    async def rejoin(self, audiences: dict[str, str]) -> None:
        """Hold exactly `audiences` (topic -> audience) from now on."""
        await self.hub.leave(self.live)
        self.hub.attach(self.live)
        self.audiences = audiences
        self.topics = {name: self.topics[name] for name in audiences}
        for topic, audience in audiences.items():
            await self.hub.join(self.live, topic, audience)

    async def subscribe(self, raw_topics: Any) -> tuple[list[Topic], list[str], dict[str, str]]:
        """Join every topic the user may read; return (granted, denied, reasons)."""
        if not isinstance(raw_topics, list):
            raise ValueError("'subscribe' must be a list of topic strings")
        async with self._rights:
            return await self._subscribe(raw_topics)

    async def _subscribe(self, raw_topics: list[Any]
                         ) -> tuple[list[Topic], list[str], dict[str, str]]:
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
            self.topics[topic.name] = topic
            await self.hub.join(self.live, topic.name, audience)
            granted.append(topic)
        return granted, denied, reasons

    async def close(self) -> None:
        self.live.close()
        if self._expiry is not None:
            self._expiry.cancel()
        self.hub.unwatch(self.user.id, self)
        for task in list(self._rechecks):
            task.cancel()
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


async def serve(websocket: WebSocket, kind: str, on_frame: FrameHandler,
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
    except asyncio.CancelledError:
        # The server cancels us when it stops (daphne does, for every open socket): tell
        # the client to come back to the next process.
        session.live.close_for_restart()
        raise
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


def topic_label(topic: Topic) -> str:
    return "user:me" if topic.kind == "user" else topic.name
