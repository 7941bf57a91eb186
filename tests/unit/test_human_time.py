"""Times as people read them: the viewer's zone across DST changes, words, typed local times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import BadInput
from core.human_time import (
    human_time,
    iso_utc,
    local_input_value,
    local_time_field,
    parse_local_time,
    relative_time,
    time_names,
    zone_field,
)
from core.i18n import use_language
from core.templating import env


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_due_date_reads_on_the_viewers_clock_with_its_abbreviation() -> None:
    due = utc(2026, 12, 8, 21, 59)
    assert human_time(due, "Europe/Helsinki") == "Tue 8 Dec 2026, 23:59 EET"
    assert human_time(due, "Europe/Madrid") == "Tue 8 Dec 2026, 22:59 CET"
    assert human_time(due, None) == "Tue 8 Dec 2026, 21:59 UTC"


def test_each_language_lays_a_time_out_as_its_readers_do() -> None:
    due = utc(2026, 12, 8, 21, 59)
    with use_language("fi"):  # the Finnish habit, not CLDR's "ti 8 joulu 2026, 23:59"
        assert human_time(due, "Europe/Helsinki") == "ti 8.12.2026 klo 23.59 EET"
        assert human_time(utc(2026, 1, 5, 6, 5), "UTC") == "ma 5.1.2026 klo 6.05 UTC"
    with use_language("es"):
        assert human_time(due, "Europe/Madrid") == "mar 8 dic 2026, 22:59 CET"
    assert time_names("fi")["layout"] == "{weekday} {day}.{month}.{year} klo {hour}.{minute}"


def test_local_date_changes_when_the_zone_crosses_midnight() -> None:
    assert human_time(utc(2026, 12, 8, 22, 30), "Europe/Helsinki") == "Wed 9 Dec 2026, 00:30 EET"
    assert human_time(utc(2026, 1, 1, 0, 30), "America/New_York") == "Wed 31 Dec 2025, 19:30 EST"


@pytest.mark.parametrize(("instant", "zone", "text"), [
    # Helsinki: 2026-03-29 03:00 EET -> 04:00 EEST (01:00 UTC)
    (utc(2026, 3, 29, 0, 59), "Europe/Helsinki", "Sun 29 Mar 2026, 02:59 EET"),
    (utc(2026, 3, 29, 1, 0), "Europe/Helsinki", "Sun 29 Mar 2026, 04:00 EEST"),
    # Madrid: 2026-03-29 02:00 CET -> 03:00 CEST, same UTC instant
    (utc(2026, 3, 29, 0, 59), "Europe/Madrid", "Sun 29 Mar 2026, 01:59 CET"),
    (utc(2026, 3, 29, 1, 0), "Europe/Madrid", "Sun 29 Mar 2026, 03:00 CEST"),
    # autumn: 2026-10-25 01:00 UTC the clocks go back; 03:30 happens twice in Helsinki
    (utc(2026, 10, 25, 0, 30), "Europe/Helsinki", "Sun 25 Oct 2026, 03:30 EEST"),
    (utc(2026, 10, 25, 1, 30), "Europe/Helsinki", "Sun 25 Oct 2026, 03:30 EET"),
    (utc(2026, 10, 25, 0, 30), "Europe/Madrid", "Sun 25 Oct 2026, 02:30 CEST"),
    (utc(2026, 10, 25, 1, 30), "Europe/Madrid", "Sun 25 Oct 2026, 02:30 CET"),
])
def test_daylight_saving_edges(instant: datetime, zone: str, text: str) -> None:
    assert human_time(instant, zone) == text


def test_zone_without_letters_reads_like_a_browser() -> None:
    assert human_time(utc(2026, 6, 1, 12, 0), "Europe/Istanbul") == "Mon 1 Jun 2026, 15:00 GMT+3"
    assert human_time(utc(2026, 6, 1, 12, 0), "Asia/Kathmandu").endswith("17:45 GMT+5:45")


def test_unknown_stored_zone_falls_back_to_utc() -> None:
    assert human_time(utc(2026, 6, 1, 12, 0), "Mars/Olympus") == "Mon 1 Jun 2026, 12:00 UTC"


@pytest.mark.parametrize(("delta", "words"), [
    (timedelta(seconds=20), "in a moment"), (timedelta(seconds=-59), "just now"),
    (timedelta(0), "just now"),
    (timedelta(minutes=5, seconds=10), "in 5 minutes"), (timedelta(minutes=-5), "5 minutes ago"),
    (timedelta(minutes=-1), "1 minute ago"), (timedelta(hours=2, minutes=59), "in 2 hours"),
    (timedelta(days=3, hours=1), "in 3 days"), (timedelta(days=-1), "1 day ago"),
    (timedelta(days=44), "in 44 days"), (timedelta(days=45), None), (timedelta(days=-90), None),
])
def test_relative_words(delta: timedelta, words: str | None) -> None:
    now = utc(2026, 12, 5, 12, 0)
    assert relative_time(now + delta, now) == words


def test_typed_local_time_is_stored_in_utc() -> None:
    assert parse_local_time("2026-12-08T23:59", "Europe/Helsinki") == utc(2026, 12, 8, 21, 59)
    assert parse_local_time("2026-07-08T23:59", "Europe/Madrid") == utc(2026, 7, 8, 21, 59)
    assert parse_local_time("2026-07-08T23:59Z", "Europe/Madrid") == utc(2026, 7, 8, 23, 59)
    assert parse_local_time("2026-07-08T23:59", None) == utc(2026, 7, 8, 23, 59)
    # an hour that happens twice is its first time
    assert parse_local_time("2026-10-25T03:30", "Europe/Helsinki") == utc(2026, 10, 25, 0, 30)


def test_input_value_round_trips_on_the_viewers_clock() -> None:
    due = utc(2026, 3, 29, 1, 0)
    assert local_input_value(due, "Europe/Helsinki") == "2026-03-29T04:00"
    assert parse_local_time(local_input_value(due, "Europe/Helsinki"), "Europe/Helsinki") == due


@pytest.mark.parametrize(("typed", "zone"), [
    ("2026-03-29T03:30", "Europe/Helsinki"), ("2026-03-29T02:30", "Europe/Madrid")])
def test_time_skipped_by_spring_forward_is_refused(typed: str, zone: str) -> None:
    with pytest.raises(BadInput) as refused:
        local_time_field(typed, zone, "due_at")
    assert "does not exist" in refused.value.message and refused.value.fields["due_at"]


@pytest.mark.parametrize("typed", ["", "next tuesday", "2026-13-01T10:00", "99999-01-01T00:00",
                                   "0001-01-01T00:30", None])
def test_bad_typed_time_is_a_clear_400(typed: object) -> None:
    with pytest.raises(BadInput) as refused:
        local_time_field(typed, "Europe/Helsinki", "due_at")
    assert refused.value.status == 400 and "due_at" in refused.value.message


def test_zone_field_accepts_iana_names_only() -> None:
    assert zone_field(" Europe/Helsinki ") == "Europe/Helsinki"
    assert zone_field("UTC") == "UTC"
    for bad in ("Europe/Atlantis", "../../etc/passwd", "", 3, None):
        with pytest.raises(BadInput):
            zone_field(bad)


def test_when_filter_renders_a_time_element_in_the_viewers_zone() -> None:
    template = env.from_string("{{ due | when }}|{{ due | when(relative=True) }}")
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3, minutes=5)
    plain, relative = template.render(due=due, viewer_zone="Europe/Helsinki").split("|")
    iso = iso_utc(due)
    assert plain == f'<time datetime="{iso}" data-local>{human_time(due, "Europe/Helsinki")}</time>'
    assert relative.startswith(f'<time datetime="{iso}" data-local data-relative>')
    assert relative.endswith(" (in 3 days)</time>")


def test_when_filter_without_a_viewer_is_utc_and_takes_stored_text() -> None:
    html = env.from_string("{{ due | when }}{{ missing | when }}").render(
        due="2027-02-23T23:59:00+00:00", missing=None)
    assert html == ('<time datetime="2027-02-23T23:59:00Z" data-local>'
                    "Tue 23 Feb 2027, 23:59 UTC</time>")
