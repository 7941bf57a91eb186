import pytest

from content_store import CourseKey, format_course_id, parse_course_id
from content_store.errors import BlockValidationError
from core.errors import BadInput


def test_course_id_round_trips_through_parse_and_format():
    course_id = format_course_id("Coursewire", "PY101", "2026")
    assert course_id == "course-v1:Coursewire+PY101+2026"
    assert parse_course_id(course_id) == CourseKey("Coursewire", "PY101", "2026")
    assert str(parse_course_id(course_id)) == course_id


@pytest.mark.parametrize("bad", [
    "Coursewire+PY101+2026", "course-v1:Coursewire+PY101", "course-v1:A+B+C+D",
    "course-v1:Course wire+PY101+2026", "course-v1:A+B/1+C", "course-v1:A++C",
])
def test_malformed_course_ids_are_bad_input(bad):
    with pytest.raises(BlockValidationError) as err:
        parse_course_id(bad)
    assert isinstance(err.value, BadInput)


def test_format_rejects_characters_outside_the_allowed_set():
    with pytest.raises(BlockValidationError) as err:
        format_course_id("Org", "PY 101", "2026")
    assert err.value.fields["field"] == "number"
