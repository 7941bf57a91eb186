"""JWT bearer tokens for the JSON API."""

from __future__ import annotations

import time

import jwt

from core.errors import NotAuthenticated
from core.i18n import gettext as _

_ALGORITHM = "HS256"


def issue_token(user_id: int, secret: str, ttl_seconds: int, generation: int = 0) -> str:
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + ttl_seconds, "typ": "access",
              "gen": generation}
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def user_id_from_token(token: str, secret: str) -> int:
    """Return the user id a valid token names, or raise NotAuthenticated."""
    return token_subject(token, secret)[0]


def token_subject(token: str, secret: str) -> tuple[int, int]:
    """(user id, session generation) a valid token names, or raise NotAuthenticated."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated(_("Your token has expired; request a new one.")) from None
    except jwt.InvalidTokenError:
        raise NotAuthenticated(_("Invalid token.")) from None
    generation = claims.get("gen", 0)
    if (claims.get("typ") != "access" or not str(claims["sub"]).isdigit()
            or not isinstance(generation, int)):
        raise NotAuthenticated(_("Invalid token."))
    return int(claims["sub"]), generation
