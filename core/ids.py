"""Numeric ids from outside (paths, forms, JSON), checked before they reach the database.

Primary keys are 32-bit integers on PostgreSQL; a longer number would make the query itself
fail (asyncpg, or SQLite's "int too large") instead of finding nothing.
"""

from __future__ import annotations

from core.errors import NotFound

MAX_ID = 2**31 - 1


def parse_id(value: object) -> int | None:
    """The positive 32-bit integer `value` spells (an int or ASCII digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def id_or_not_found(value: object, message: str) -> int:
    """The id `value` spells, or NotFound(message): a malformed id names nothing that exists."""
    number = parse_id(value)
    if number is None:
        raise NotFound(message)
    return number
