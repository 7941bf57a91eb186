"""The platform's side of realtime/rights.py: which credential opened a socket (ending
sessions is `accounts.session.end_sessions`, which tells realtime).

A browser session is named by its CSRF secret (new at every login, gone at logout), a bearer
token by itself; realtime sees only a hash of either (`key_of`). A socket closes when the
credential that opened it expires: a token at its `exp`, a session cookie when its signature
gets older than the session's max age (the socket app records that moment in the scope,
`SESSION_EXPIRES_AT`, when it reads the cookie).
"""

from __future__ import annotations

import jwt
from starlette.requests import HTTPConnection

from accounts.session import bearer_token
from core.i18n import gettext as _
from realtime.rights import Credential, key_of


def session_key(conn: HTTPConnection) -> str | None:
    token = bearer_token(conn)
    if token is not None:
        return key_of(token)
    csrf = conn.session.get("csrf") if "session" in conn.scope else None
    return key_of(csrf) if isinstance(csrf, str) and csrf else None


SESSION_EXPIRES_AT = "coursewire.session_expires_at"  # scope key: Unix time


def socket_credential(conn: HTTPConnection) -> Credential:
    """Read after authentication succeeded: a bearer token's signature is already checked."""
    token = bearer_token(conn)
    if token is not None:
        claims = jwt.decode(token, options={"verify_signature": False})
        return Credential(session_key(conn), float(claims["exp"]))
    expires_at = conn.scope.get(SESSION_EXPIRES_AT)
    return Credential(session_key(conn), expires_at,
                      _("Your session has expired; please sign in again."))

