"""The language of every request, set before any route runs.

Error pages, JSON errors, CSRF refusals and redirects are all produced before (or without)
a route looking the user up, so the language can't wait for `page()`: this middleware takes
it from the session (set at login and whenever the visitor chooses one), else the browser's
Accept-Language. `accounts.session.current_user` refines it from the signed-in user's
setting. A pure ASGI middleware: the context variable it sets is the one the route's task
reads.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from accounts.session import LANGUAGE_KEY
from core.i18n import negotiate, set_language


class RequestLanguage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            session = scope.get("session") or {}
            chosen = session.get(LANGUAGE_KEY) if isinstance(session, dict) else None
            set_language(negotiate(chosen if isinstance(chosen, str) else None,
                                   Headers(scope=scope).get("accept-language")))
        await self.app(scope, receive, send)
