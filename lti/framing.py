"""Launched pages inside the platform's iframe.

Our pages refuse other sites' frames (`frame-ancestors 'self'`, `X-Frame-Options:
SAMEORIGIN`) and the session cookie is `SameSite=Lax`, which a browser does not send from a
frame on another site. A launch marks its session with the platform's origins (the
registration's issuer and login URL, and the launch's `launch_presentation.return_url`,
which names the host a Canvas course really runs on); for such a session this middleware
names those origins in `frame-ancestors` instead of `X-Frame-Options`, and sends the session
cookie `SameSite=None; Secure; Partitioned` over https (CHIPS: browsers that block
third-party cookies keep it for this platform's page). A browser that still sends nothing
back (Safari blocks even partitioned cookies) lands on a page offering a new window
(`/lti/continue`, lti.routes).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lti import claims
from models.lti import LtiRegistration

FRAME_SESSION = "lti_frame_ancestors"
MAX_ORIGINS = 4
# What may stand in a CSP source list as an origin: nothing that ends or extends it.
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?")


def origin_of(url: object) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, or None."""
    if not isinstance(url, str) or len(url) > 2000:
        return None
    parts = urlsplit(url.strip())
    origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    return origin if _ORIGIN.fullmatch(origin) else None


def frame_origins(registration: LtiRegistration, data: dict[str, Any]) -> list[str]:
    """The platform's origins that may frame a launched session's pages."""
    presentation = data.get(claims.LAUNCH_PRESENTATION)
    return_url = presentation.get("return_url") if isinstance(presentation, dict) else None
    found = [origin_of(u) for u in (registration.issuer, registration.auth_login_url,
                                    return_url)]
    return list(dict.fromkeys(o for o in found if o))[:MAX_ORIGINS]


def framed_origins(scope: Scope) -> list[str]:
    """The origins a request's session was launched from (none for other sessions)."""
    session = scope.get("session")
    origins = session.get(FRAME_SESSION) if isinstance(session, dict) else None
    if not isinstance(origins, list):
        return []
    return [o for o in origins[:MAX_ORIGINS] if isinstance(o, str) and _ORIGIN.fullmatch(o)]


class FramedLaunches:
    """Outside the session and security-header middleware: rewrites what they send for a
    launched session."""

    def __init__(self, app: ASGIApp, session_cookie: str) -> None:
        self.app = app
        self.cookie_prefix = session_cookie.encode() + b"="

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_framed(message: Message) -> None:
            if message["type"] == "http.response.start":
                https = scope.get("scheme") == "https"
                origins = framed_origins(scope)
                if origins:
                    self._allow_frames(message, origins, https)
                else:
                    self._clear_partitioned(message, https)
            await send(message)

        await self.app(scope, receive, send_framed)

    def _allow_frames(self, message: Message, origins: list[str], https: bool) -> None:
        headers = MutableHeaders(scope=message)
        del headers["x-frame-options"]
        policy = headers.get("content-security-policy")
        if policy:
            headers["content-security-policy"] = policy.replace(
                "frame-ancestors 'self'", "frame-ancestors 'self' " + " ".join(origins))
        message["headers"] = [(name, self._cross_site(value, https))
                              if name == b"set-cookie" else (name, value)
                              for name, value in message["headers"]]

    def _clear_partitioned(self, message: Message, https: bool) -> None:
        """A signed-out session (its marker gone with it) clears the session cookie; a
        launched one lives in the platform's partition, which only a cleared cookie marked
        the same way reaches, so that clearing is sent too."""
        cleared = [value for name, value in message["headers"]
                   if name == b"set-cookie" and value.startswith(self.cookie_prefix + b"null;")]
        framed = [self._cross_site(value, https) for value in cleared]
        message["headers"] = [*message["headers"], *((b"set-cookie", value) for value, old
                                                      in zip(framed, cleared, strict=True)
                                                      if value != old)]

    def _cross_site(self, cookie: bytes, https: bool) -> bytes:
        """The session cookie, sent from the platform's frame too (a `Secure` cookie only:
        over plain http, development, browsers refuse `SameSite=None`)."""
        lowered = cookie.lower()
        if not cookie.startswith(self.cookie_prefix) or not (https or b"; secure" in lowered):
            return cookie
        flags = [f for f in cookie.split(b"; ") if not f.lower().startswith(
            (b"samesite", b"secure", b"partitioned"))]
        return b"; ".join([*flags, b"secure", b"samesite=none", b"Partitioned"])
