"""Who is on a socket. Realtime sits below the platform, so it asks, never imports.

The shell hands the platform's authenticator to the app (`app.state.socket_authenticator`);
anything with these two functions will do (accounts.session is one).
"""

from __future__ import annotations

from typing import Protocol

from starlette.requests import HTTPConnection

from models.users import User


class SocketAuthenticator(Protocol):
    async def current_user(self, conn: HTTPConnection) -> User | None:
        """The signed-in user or None; raises NotAuthenticated for a bad bearer token."""
        ...

    def uses_session_auth(self, conn: HTTPConnection) -> bool:
        """True when the caller is identified by the session cookie (so CSRF rules apply)."""
        ...


def _authenticator(conn: HTTPConnection) -> SocketAuthenticator:
    return conn.app.state.socket_authenticator


async def current_user(conn: HTTPConnection) -> User | None:
    return await _authenticator(conn).current_user(conn)


def uses_session_auth(conn: HTTPConnection) -> bool:
    return _authenticator(conn).uses_session_auth(conn)
