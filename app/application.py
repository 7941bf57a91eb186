"""Composes the ASGI application: Starlette for HTTP and websockets, started lazily."""

from __future__ import annotations

import json
from base64 import b64decode
from collections.abc import Awaitable, Callable

from itsdangerous import BadSignature
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import Session, SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from app.errors_http import EXCEPTION_HANDLERS
from app.middleware import RequestGuard
from app.runtime import Runtime
from app.settings import Settings
from app.templating import ROOT
from realtime.connection import LiveWebSocket
from realtime.endpoints import events_endpoint, page_socket_endpoint

UPLOAD_PATHS = ("/import", "/assets")


def _routes() -> list[Route | Mount | WebSocketRoute]:
    from app.accounts import routes as accounts
    from app.announcements import routes as announcements
    from app.content import routes as content
    from app.courses import routes as courses
    from app.openapi import openapi_route
    from forum import routes as forum
    from grading import routes as grading
    from peer_review import routes as peer_review

    return [
        *accounts.routes,
        *courses.routes,
        *announcements.routes,
        *content.routes,
        *grading.routes,
        *forum.routes,
        *peer_review.routes,
        openapi_route,
        Route("/healthz", _health),
        Mount("/static", StaticFiles(directory=ROOT / "static"), name="static"),
    ]


async def _health(request: Request) -> JSONResponse:
    hub = request.app.state.runtime.hub
    return JSONResponse({"ok": True, "sockets": hub.socket_count if hub else 0})


# The live sockets bypass the HTTP middleware stack (see CoursewireApp.__call__).
SOCKET_ENDPOINTS = {"/ws": page_socket_endpoint, "/api/v1/events": events_endpoint}


async def _no_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("only used to read session cookies")


class _SocketApp:
    """A live socket endpoint with the session cookie read, and nothing else in between.

    SessionMiddleware would also wrap `send` to set cookies, which a websocket never does;
    each of thousands of frames would pay for that extra coroutine.
    """

    def __init__(self, endpoint: Callable[[WebSocket], Awaitable[None]],
                 session: SessionMiddleware) -> None:
        self.endpoint = endpoint
        self.session = session  # used for its cookie name, signer and max age only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["session"] = self._read_session(HTTPConnection(scope).cookies)
        await self.endpoint(LiveWebSocket(scope, receive, send))

    def _read_session(self, cookies: dict[str, str]) -> Session:
        raw = cookies.get(self.session.session_cookie)
        if raw is None:
            return Session()
        try:
            data = self.session.signer.unsign(raw.encode(), max_age=self.session.max_age)
            return Session(json.loads(b64decode(data)))
        except (BadSignature, ValueError):
            return Session()


class CoursewireApp:
    """The ASGI callable: runs start-up once, in whichever way the server allows."""

    def __init__(self, settings: Settings) -> None:
        self.runtime = Runtime(settings)
        session_options = {
            "secret_key": settings.secret_key, "session_cookie": "cw_session",
            "max_age": 14 * 24 * 3600, "same_site": "lax",
            "https_only": settings.https_only_cookies,
        }
        # Thousands of idle sockets each keep their whole coroutine chain alive, so the
        # socket endpoints get only what they need (the session cookie), not the full stack.
        session_reader = SessionMiddleware(_no_app, **session_options)
        self.sockets = {path: _SocketApp(endpoint, session_reader)
                        for path, endpoint in SOCKET_ENDPOINTS.items()}
        self.starlette = Starlette(
            routes=_routes(),
            middleware=[
                Middleware(SessionMiddleware, **session_options),
                Middleware(RequestGuard, max_body=settings.max_body_bytes,
                           max_upload=settings.max_upload_bytes, upload_prefixes=UPLOAD_PATHS),
            ],
            exception_handlers=EXCEPTION_HANDLERS,
        )
        self.starlette.state.runtime = self.runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if not self.runtime.started:
            await self.runtime.start()
        socket_app = self.sockets.get(scope["path"]) if scope["type"] == "websocket" else None
        if socket_app is not None:
            scope["app"] = self.starlette
            await socket_app(scope, receive, send)
            return
        await self.starlette(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.runtime.start()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.runtime.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(settings: Settings) -> CoursewireApp:
    return CoursewireApp(settings)
