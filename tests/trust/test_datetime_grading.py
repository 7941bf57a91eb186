"""An extension's due date out of range (past year 9999 once in UTC) is a 400 naming the
field, never an OverflowError (500)."""

from __future__ import annotations

import pytest

from core.errors import BadInput
from grading import extensions
from tests.grading_app.conftest import course  # noqa: F401 (fixture)

OUT_OF_RANGE = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59",
                "9999-12-31T23:00:00Z"]


@pytest.mark.parametrize("due", OUT_OF_RANGE)
async def test_extension_due_at_out_of_range_is_bad_input(course, due):  # noqa: F811
    with pytest.raises(BadInput) as caught:
        await extensions.grant_extension(course.ta, course.id, course.student.id, "late", due,
                                      "", 1)
    assert "due_at" in caught.value.fields



@pytest.mark.parametrize("due", OUT_OF_RANGE)
def test_course_file_due_out_of_range_names_the_field(due):
    from content_store.blocks.checks import FieldProblem, check_datetime
    with pytest.raises(FieldProblem) as caught:
        check_datetime(due, ("due",))
    assert "between" in str(caught.value)


def test_the_parser_keeps_good_instants_and_converts_to_utc():
    from datetime import UTC, date, datetime

    from core.datetimes import parse_instant
    assert parse_instant("2026-03-01T23:59:00Z") == datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
    assert parse_instant("2026-03-01T23:59:00+01:00") == datetime(2026, 3, 1, 22, 59, tzinfo=UTC)
    assert parse_instant(" 2026-03-01 ") == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_instant(date(2026, 3, 1)) == datetime(2026, 3, 1, tzinfo=UTC)
    for bad in ("tomorrow", 3, None, "2026-13-01"):
        with pytest.raises(ValueError):
            parse_instant(bad)
