"""Who is asking: session cookie (browser) or bearer token (API), and CSRF tokens."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import HTTPConnection
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from accounts.tokens import token_subject
from core.errors import NotAuthenticated
from core.i18n import SESSION_KEY, set_language
from core.i18n import gettext as _
from models.statements import get_by
from models.users import User
from realtime.rights import sessions_ended

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


def bearer_token(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if conn.scope["type"] == "websocket":
        # Browsers can't set headers on a websocket handshake.
        return conn.query_params.get("token") or None
    return None


async def current_user(conn: HTTPConnection) -> User | None:
    """The authenticated user, or None. Raises NotAuthenticated for a bad bearer token."""
    if "user" in conn.scope.get("state", {}):
        return conn.state.user
    user: User | None = None
    token = bearer_token(conn)
    if token is not None:
        secret = conn.app.state.runtime.settings.secret_key
        user_id, generation = token_subject(token, secret)
        user = await get_by(User, {"id": user_id})
        if user is None or user.session_generation != generation:
            raise NotAuthenticated(_("Invalid token."))
    elif "session" in conn.scope and isinstance(conn.session.get("uid"), int):
        user = await get_by(User, {"id": conn.session["uid"]})
        if user is not None and conn.session.get("gen", 0) != user.session_generation:
            user = None  # the session was ended by a logout: a copied cookie is dead
            conn.session.clear()
    if user is not None and user.language:
        # Their own setting, for whatever this request answers (an API client has no
        # session to carry it; app.language could only go by Accept-Language).
        set_language(user.language)
    conn.state.user = user
    return user


async def require_user(conn: HTTPConnection) -> User:
    user = await current_user(conn)
    if user is None:
        raise NotAuthenticated(_("Please log in."))
    return user


def uses_session_auth(conn: HTTPConnection) -> bool:
    return bearer_token(conn) is None


def csrf_token(conn: HTTPConnection) -> str:
    token = conn.session.get("csrf")
    if not token:
        token = conn.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_matches(conn: HTTPConnection, supplied: str | None) -> bool:
    expected = conn.session.get("csrf") if "session" in conn.scope else None
    return bool(expected and supplied and hmac.compare_digest(expected, supplied))


def log_in(conn: HTTPConnection, user: User) -> None:
    # A fresh session on login: nothing from before authentication survives (fixation),
    # but the language the visitor picked while signed out, unless their account has one.
    language = user.language or conn.session.get(LANGUAGE_KEY)
    conn.session.clear()
    conn.session["uid"] = user.id
    conn.session["gen"] = user.session_generation
    conn.session["csrf"] = secrets.token_urlsafe(32)
    remember_language(conn, language)
    conn.state.user = user


# The session keeps the language so that app.language sets it for every request (errors,
# redirects) before any route has looked the user up.
LANGUAGE_KEY = SESSION_KEY


def remember_language(conn: HTTPConnection, code: str | None) -> None:
    if code:
        conn.session[LANGUAGE_KEY] = code
    else:
        conn.session.pop(LANGUAGE_KEY, None)


def log_out(conn: HTTPConnection) -> None:
    language = conn.session.get(LANGUAGE_KEY)
    conn.session.clear()
    remember_language(conn, language)  # signing out does not change the page's language
    conn.state.user = None


async def end_sessions(user: User) -> None:
    """Every session cookie and bearer token issued to `user` so far stops working."""
    async with in_transaction():  # the sessions end with the message that closes sockets
        await User.filter(id=user.id).update(session_generation=F("session_generation") + 1)
        await sessions_ended(user.id)  # their open sockets close with 4401, on every process
    user.session_generation += 1
