"""Composes the ASGI application: Starlette for HTTP and websockets, started lazily."""

from __future__ import annotations

import json
from base64 import b64decode
from collections.abc import Awaitable, Callable
from pathlib import Path

from itsdangerous import BadSignature
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import Session, SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from accounts import session as session_auth
from accounts.live_rights import SESSION_EXPIRES_AT
from app import frame_routes
from app.asyncapi import asyncapi_route
from app.errors_http import EXCEPTION_HANDLERS
from app.idempotency import IdempotencyKeys
from app.language import RequestLanguage
from app.middleware import RequestGuard
from app.route_index import IndexedRouter
from app.runtime import Runtime
from app.security_headers import SecurityHeaders
from core import clock
from core.http import RECEIVED_AT
from core.openapi import openapi_route
from core.settings import Settings
from lti.framing import FramedLaunches
from realtime.connection import LiveWebSocket
from realtime.event_socket import events_endpoint
from realtime.page_socket import page_socket_endpoint

ROOT = Path(__file__).resolve().parent.parent


def _routes(runtime: Runtime) -> list[BaseRoute]:
    """The installed packages' routes (app.domains), then the shell's own."""
    return [
        *runtime.routes,
        openapi_route,
        asyncapi_route,
        Route("/healthz", _health),
        Mount("/static", StaticFiles(directory=ROOT / "static"), name="static"),
    ]


async def _health(request: Request) -> JSONResponse:
    hub = request.app.state.runtime.hub
    return JSONResponse({"ok": True, "sockets": hub.socket_count if hub else 0})


# The live sockets bypass the HTTP middleware stack (see CoursewireApp.__call__).
SOCKET_ENDPOINTS = {"/ws": frame_routes.with_student_view(page_socket_endpoint),
                    "/api/v1/events": events_endpoint}


SESSION_MAX_AGE = 14 * 24 * 3600  # seconds a session cookie holds after it was last set

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
        scope["session"] = self._read_session(HTTPConnection(scope).cookies, scope)
        await self.endpoint(LiveWebSocket(scope, receive, send))

    def _read_session(self, cookies: dict[str, str], scope: Scope) -> Session:
        raw = cookies.get(self.session.session_cookie)
        if raw is None:
            return Session()
        try:
            data, signed_at = self.session.signer.unsign(
                raw.encode(), max_age=self.session.max_age, return_timestamp=True)
            session = Session(json.loads(b64decode(data)))
        except (BadSignature, ValueError):
            return Session()
        # The socket closes when this cookie would stop being accepted (accounts.live_rights).
        scope[SESSION_EXPIRES_AT] = signed_at.timestamp() + (self.session.max_age or 0)
        return session


class CoursewireApp:
    """The ASGI callable: runs start-up once, in whichever way the server allows."""

    def __init__(self, settings: Settings) -> None:
        self.runtime = Runtime(settings)
        session_options = {
            "secret_key": settings.secret_key, "session_cookie": "cw_session",
            "max_age": SESSION_MAX_AGE, "same_site": "lax",
            "https_only": settings.https_only_cookies,
        }
        # Thousands of idle sockets each keep their whole coroutine chain alive, so the
        # socket endpoints get only what they need (the session cookie), not the full stack.
        session_reader = SessionMiddleware(_no_app, **session_options)
        self.sockets = {path: _SocketApp(endpoint, session_reader)
                        for path, endpoint in SOCKET_ENDPOINTS.items()}
        self.starlette = Starlette(
            routes=_routes(self.runtime),
            middleware=[
                # Launched sessions' pages in the platform's frame (outside what it rewrites).
                Middleware(FramedLaunches, session_cookie=session_options["session_cookie"]),
                Middleware(SecurityHeaders),
                Middleware(SessionMiddleware, **session_options),
                Middleware(RequestLanguage),
                Middleware(RequestGuard, max_body=settings.max_body_bytes,
                           max_upload=settings.max_upload_bytes),
                Middleware(IdempotencyKeys),
                Middleware(frame_routes.CourseFrameMiddleware),
            ],
            exception_handlers=EXCEPTION_HANDLERS,
        )
        # Routes found through an index by path (app.route_index), not tried one by one.
        self.starlette.router = IndexedRouter(self.starlette.router.routes)
        self.starlette.state.runtime = self.runtime
        self.starlette.state.socket_authenticator = session_auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        scope[RECEIVED_AT] = clock.now()  # first: what queues behind this is ours, not theirs
        if not self.runtime.started:
            await self.runtime.start()
        self.runtime.bind()  # this call's task reads the process state (core.context)
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
