"""Times as people read them: in the viewer's time zone, in words, and back from a form.

Stored times are UTC; a page shows each one as `<time datetime="<ISO UTC>">` with text in the
viewer's zone ("Tue 8 Dec 2026, 23:59 EET", "in 3 days"). Live fragments are rendered once
per audience, not per viewer, so they carry the same element with UTC text, and
static/local_time.js rewrites the text of every such element in the viewer's zone, on the
page and in every swapped fragment alike, with the same rules as here: a live page reads
the same as a reload.

The text is in the language of the request or job (core/i18n.py), with the month and day
names of Babel's CLDR data for it (never the process locale), so a page never depends on
where the server runs, laid out as that language's translators wrote (`layout()`);
`time_names()` hands the same names and layout to local_time.js.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_datetime

from core.datetimes import parse_instant
from core.errors import BadInput
from core.i18n import current_language, ngettext, use_language
from core.i18n import gettext as _

DEFAULT_ZONE = "UTC"
# Relative words only while they help: "in 3 days" reads better than a date; "in 95 days" not.
RELATIVE_UP_TO = timedelta(days=45)


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {DEFAULT_ZONE}


def zone_names() -> list[str]:
    """Every zone a user may choose, sorted (for the profile page's list)."""
    return sorted(_known_zones())


def is_zone(name: object) -> bool:
    return isinstance(name, str) and name in _known_zones()


def zone_field(value: object, field: str = "timezone") -> str:
    """An IANA zone name (Europe/Helsinki) from input, or a BadInput (400) naming the field."""
    name = value.strip() if isinstance(value, str) else value
    if not is_zone(name):
        raise BadInput(_("%(field)s: give a time zone such as Europe/Helsinki or UTC.",
                         field=field), fields={field: _("Unknown time zone.")})
    assert isinstance(name, str)
    return name


def zone(name: str | None) -> ZoneInfo:
    """The zone called `name`, UTC when it is missing or unknown (an old setting)."""
    return ZoneInfo(name if name and is_zone(name) else DEFAULT_ZONE)


def zone_abbreviation(local: datetime) -> str:
    """EET, CEST, UTC; zones without a letter abbreviation ("+03") as GMT+3, like browsers."""
    name = local.tzname() or "UTC"
    if name[:1] not in "+-":
        return name
    hours, minutes = int(name[1:3]), name[3:5]
    return f"GMT{name[0]}{hours}" + (f":{minutes}" if minutes and minutes != "00" else "")


def layout() -> str:
    """How a date and time reads in the current language, a message its translators own:
    "Tue 8 Dec 2026, 23:59" in English, "ti 8.12.2026 klo 23.59" in Finnish. The fields:
    {weekday} and {month_name} (CLDR's abbreviations), {day}, {month}, {year}, {hour}
    (no leading zero), {hour2} (two digits) and {minute} (two digits)."""
    return _("{weekday} {day} {month_name} {year}, {hour2}:{minute}")


def human_time(instant: datetime, zone_name: str | None = None) -> str:
    """`Tue 8 Dec 2026, 23:59 EET`: the instant on the clock of `zone_name` (UTC if none)."""
    local = instant.astimezone(zone(zone_name))
    language = current_language()
    text = layout().format(
        weekday=format_datetime(local, "EEE", locale=language), day=local.day,
        month=local.month, month_name=format_datetime(local, "MMM", locale=language),
        year=local.year, hour=local.hour, hour2=f"{local.hour:02d}",
        minute=f"{local.minute:02d}")
    return f"{text} {zone_abbreviation(local)}"


@cache
def time_names(language: str) -> dict[str, list[str] | str]:
    """The abbreviated weekday (Monday first) and month names and the layout `human_time`
    uses in `language`, for local_time.js to write the same text in the browser."""
    with use_language(language):
        text_layout = layout()
    return {"weekdays": [format_datetime(datetime(2026, 6, 1 + d), "EEE", locale=language)
                         for d in range(7)],
            "months": [format_datetime(datetime(2026, m, 1), "MMM", locale=language)
                       for m in range(1, 13)],
            "layout": text_layout}


def relative_time(instant: datetime, now: datetime) -> str | None:
    """"in 3 days", "5 minutes ago", "just now", "in a moment"; None when too far away."""
    delta = instant - now
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return _("in a moment") if delta.total_seconds() >= 1 else _("just now")
    if seconds >= RELATIVE_UP_TO.total_seconds():
        return None
    future = delta.total_seconds() > 0
    # Whole phrases, not "in " + words: word order and case differ between languages.
    if seconds < 3600:
        n = int(seconds // 60)
        return (ngettext("in %(num)d minute", "in %(num)d minutes", n) if future
                else ngettext("%(num)d minute ago", "%(num)d minutes ago", n))
    if seconds < 86400:
        n = int(seconds // 3600)
        return (ngettext("in %(num)d hour", "in %(num)d hours", n) if future
                else ngettext("%(num)d hour ago", "%(num)d hours ago", n))
    n = int(seconds // 86400)
    return (ngettext("in %(num)d day", "in %(num)d days", n) if future
            else ngettext("%(num)d day ago", "%(num)d days ago", n))


def iso_utc(instant: datetime, *, seconds: bool = True) -> str:
    """`2026-12-08T21:59:00Z` (or `2026-12-08T21:59Z`): the form in every `<time datetime>`."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ" if seconds else
                                            "%Y-%m-%dT%H:%MZ")


def as_instant(value: datetime | str) -> datetime:
    """A stored time as an aware datetime (block fields hold ISO text; naive means UTC)."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(
        value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def local_input_value(instant: datetime | None, zone_name: str | None) -> str:
    """The value of an `<input type="datetime-local">`: the instant on the viewer's clock."""
    if instant is None:
        return ""
    return instant.astimezone(zone(zone_name)).strftime("%Y-%m-%dT%H:%M")


def parse_local_time(value: str, zone_name: str | None) -> datetime:
    """A time typed on the viewer's clock (`2026-03-29T03:30`) as UTC. Text with an offset or
    `Z` keeps it. A time that does not exist there (skipped when clocks go forward) is refused;
    one that happens twice (clocks go back) is the first. ValueError says what to fix."""
    text = value.strip()
    try:
        typed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(_("Give a date and time like 2026-03-01T23:59.")) from None
    if typed.tzinfo is None:
        place = zone(zone_name)
        local = typed.replace(tzinfo=place)
        try:
            round_trip = local.astimezone(UTC).astimezone(place).replace(tzinfo=None)
        except OverflowError:
            round_trip = typed  # out of range: parse_instant says so
        if round_trip != typed:
            raise ValueError(_("%(time)s does not exist in %(zone)s: the clocks skip that hour. "
                               "Give a time outside it.", time=typed.strftime("%Y-%m-%d %H:%M"),
                               zone=place.key))
        typed = local
    return parse_instant(typed)


def local_time_field(value: object, zone_name: str | None, field: str) -> datetime:
    """`parse_local_time` for an input field: a BadInput (400) naming the field."""
    try:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(_("Give a date and time like 2026-03-01T23:59."))
        return parse_local_time(value, zone_name)
    except ValueError as exc:
        raise BadInput(f"{field}: {exc}", fields={field: str(exc)}) from None
