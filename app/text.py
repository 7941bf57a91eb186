"""Text from outside (JSON bodies, form fields, URLs, websocket frames), checked once at the edge.

A NUL character or a lone UTF-16 surrogate is never meaningful text, and each store fails on
them in its own way (PostgreSQL rejects NUL; SQLite, Redis and nh3 can't encode a surrogate),
which would otherwise surface as a 500 deep inside a service.
"""

from __future__ import annotations

import re
from typing import Any

from app.errors import BadInput

_BAD = re.compile("[\x00\ud800-\udfff]")
BAD_TEXT_MESSAGE = "Text can't contain NUL characters or unpaired surrogates (invalid Unicode)."


def has_bad_text(value: str) -> bool:
    """True when `value` holds a NUL or a lone surrogate."""
    return _BAD.search(value) is not None


def bad_text_in(value: Any) -> bool:
    """True when any string in a decoded JSON value (keys included) holds bad text.

    Iterative, so a deeply nested value can't exhaust the stack here either.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _BAD.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def check_text(value: Any) -> None:
    """Raise BadInput when any string in `value` holds a NUL or a lone surrogate."""
    if bad_text_in(value):
        raise BadInput(BAD_TEXT_MESSAGE)
