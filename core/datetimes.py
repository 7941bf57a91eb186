"""Date-times from outside (forms, JSON, course files), parsed in one place.

`datetime.fromisoformat` accepts `9999-12-31T23:59:59-23:59`, which is past year 9999 once
in UTC: converting or storing it raises OverflowError, and so does adding a lease or a grace
period to a date near the ends of the calendar. So an instant is accepted only inside a
range that leaves centuries of room on both sides.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.errors import BadInput
from core.i18n import gettext as _

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
EXAMPLE = "2026-03-01T23:59:00Z"


def parse_instant(value: object) -> datetime:
    """An aware UTC datetime from ISO text (a `Z` or an offset; naive means UTC), a datetime
    or a date. Raises ValueError with a message for anything else or out of range."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(_("Give a date and time like %(example)s.", example=EXAMPLE)) from None
    else:
        raise ValueError(_("Give a date and time like %(example)s.", example=EXAMPLE))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    out_of_range = ValueError(_("Give a date between %(first)s and %(last)s.", first=EARLIEST.year,
                                      last=LATEST.year - 1))
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        raise out_of_range from None
    if not EARLIEST <= parsed < LATEST:
        raise out_of_range
    return parsed


def datetime_field(value: object, field: str) -> datetime:
    """`parse_instant` for an input field: a BadInput (400) naming the field."""
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise BadInput(f"{field}: {exc}", fields={field: str(exc)}) from None
