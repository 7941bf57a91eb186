"""The one clock: timezone-aware UTC, as stored in the database and compared with due dates."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time in UTC (aware)."""
    return datetime.now(UTC)
