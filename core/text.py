"""Text from outside (JSON bodies, form fields, URLs, websocket frames), checked once at the edge.

A NUL character or a lone UTF-16 surrogate is never meaningful text, and each store fails on
them in its own way (PostgreSQL rejects NUL; SQLite, Redis and nh3 can't encode a surrogate),
which would otherwise surface as a 500 deep inside a service.
"""

from __future__ import annotations

import re
from typing import Any

from core.errors import BadInput
from core.i18n import N_
from core.i18n import gettext as _

_BAD = re.compile("[\x00\ud800-\udfff]")
BAD_TEXT_MESSAGE = N_("Text can't contain NUL characters or unpaired surrogates (invalid Unicode).")


def has_bad_text(value: str) -> bool:
    """True when `value` holds a NUL or a lone surrogate."""
    return _BAD.search(value) is not None


# Deeper than any body we take; a deeper one that the parser accepted (it gives up near
# 1,000 levels) could still exhaust the stack later, in json.dumps or a template.
MAX_JSON_DEPTH = 64


def json_problem(value: Any, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a decoded JSON value is refused (too deep, bad text in a string or key), or None.

    Iterative, so a deeply nested value can't exhaust the stack here either.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _BAD.search(item):
                return _(BAD_TEXT_MESSAGE)
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                return _("JSON is nested more than %(depth)s levels deep.", depth=max_depth)
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
    return None


def check_json(value: Any) -> None:
    """Raise BadInput when `value` is nested too deeply or holds a NUL or lone surrogate."""
    problem = json_problem(value)
    if problem is not None:
        raise BadInput(problem)
