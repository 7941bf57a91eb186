"""How large a request body each route accepts, declared next to the route in its table.

Most routes take forms and JSON (`FORM`: Settings.max_body_bytes). Signing in and signing
up take a few KB (`CREDENTIALS`). Only an instructor's course archive and course files take
`UPLOAD` (Settings.max_upload_bytes). The request guard (app.middleware) finds the route
before it reads anything, so a body sent to an unknown path is never read; the route checks
who is asking before it reads the body; the guard refuses the body with a 413 as soon as
its declared length, or the bytes streamed so far, pass the route's limit.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from starlette.routing import BaseRoute

CREDENTIALS_BYTES = 8_192  # an email, a name and a password, JSON or form encoded

_ATTRIBUTE = "coursewire_body_size"


class BodySize(Enum):
    CREDENTIALS = "credentials"
    FORM = "form"
    UPLOAD = "upload"


R = TypeVar("R", bound=BaseRoute)


def limit_body(size: BodySize, route: R) -> R:
    """Declare `route`'s body size (undeclared routes take FORM)."""
    setattr(route, _ATTRIBUTE, size)
    return route


def body_size_of(route: BaseRoute) -> BodySize:
    size = getattr(route, _ATTRIBUTE, None)
    return size if isinstance(size, BodySize) else BodySize.FORM
