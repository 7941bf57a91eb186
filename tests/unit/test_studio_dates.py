"""Studio date-time fields are typed on the editor's clock and stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content_store.blocks import block_type
from core.errors import BadInput
from courseware.forms import form_text, form_values


def _start_entry() -> dict:
    return next(e for e in block_type("chapter").editor_form() if e["name"] == "start")


def test_release_date_typed_in_madrid_is_stored_in_utc() -> None:
    values, _ = form_values(block_type("chapter"), {"title": "Loops", "start": "2026-07-01T09:00"},
                            "Europe/Madrid")
    assert values["start"] == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def test_release_date_shows_on_the_editors_clock() -> None:
    entry = _start_entry()
    assert entry["widget"] == "datetime"
    assert form_text(entry, "2026-07-01T07:00:00+00:00", "Europe/Madrid") == "2026-07-01T09:00"
    assert form_text(entry, "2026-12-01T07:00:00+00:00", "Europe/Helsinki") == "2026-12-01T09:00"
    assert form_text(entry, "2026-12-01T07:00:00+00:00", None) == "2026-12-01T07:00"


@pytest.mark.parametrize("typed", ["2026-03-29T02:30", "tomorrow"])
def test_bad_release_date_names_the_field(typed: str) -> None:
    with pytest.raises(BadInput) as refused:
        form_values(block_type("chapter"), {"title": "Loops", "start": typed}, "Europe/Madrid")
    assert refused.value.status == 400 and "start" in refused.value.fields
