"""JWT bearer tokens for the JSON API."""

from __future__ import annotations

import time

import jwt

from core.errors import NotAuthenticated
from core.i18n import gettext as _

_ALGORITHM = "HS256"
# Tokens already verified: (token, secret) -> (user id, generation, expiry). Verifying the
# signature and claims is most of a bearer request's authentication (PyJWT: about a tenth of
# a process's CPU in the exam storm's baseline); the same bytes under the same secret verify
# the same way until they expire. Bounded: the oldest entry goes first.
_VERIFIED: dict[tuple[str, str], tuple[int, int, float]] = {}
_VERIFIED_MAX = 20_000


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
    known = _VERIFIED.get((token, secret))
    if known is not None:
        if time.time() < known[2]:
            return known[0], known[1]
        del _VERIFIED[(token, secret)]  # expired: decoding again says so
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
    if len(_VERIFIED) >= _VERIFIED_MAX:
        del _VERIFIED[next(iter(_VERIFIED))]
    _VERIFIED[(token, secret)] = (int(claims["sub"]), generation, float(claims["exp"]))
    return int(claims["sub"]), generation
