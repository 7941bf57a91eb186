"""dom_id: distinct values (course ids, block ids, tuples of them) never share a DOM id."""

import re

from hypothesis import given
from hypothesis import strategies as st

from core.templating import dom_id


def test_course_ids_that_differ_only_in_punctuation_get_different_ids():
    ids = {dom_id("announcements", c) for c in (
        "course-v1:A_B+C+D", "course-v1:A+B_C+D", "course-v1:A.B+C+D", "course-v1:A+B+C+D")}
    assert len(ids) == 4


def test_parts_are_not_confused_with_the_separator():
    assert dom_id("unit", "course-v1:A+B+2026-x", "y") != dom_id("unit", "course-v1:A+B+2026",
                                                                  "x-y")


def test_ids_are_valid_css_identifiers_readable_by_eye():
    assert dom_id("announcements", "course-v1:Coursewire+PY101+2026") == (
        "announcements-course_2dv1_3aCoursewire_2bPY101_2b2026")
    assert dom_id("gb", 7, "total") == "gb-7-total"


def _decode(part: str) -> str:
    return re.sub(r"((?:_[0-9a-f]{2})+)",
                  lambda m: bytes.fromhex(m.group(1).replace("_", "")).decode(), part)


@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=3),
       st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=3))
def test_dom_id_is_injective(a, b):
    if a != b and len(a) == len(b):
        assert dom_id("r", *a) != dom_id("r", *b)


@given(st.lists(st.text(max_size=12), min_size=1, max_size=3))
def test_dom_id_reads_back_and_uses_only_safe_characters(parts):
    made = dom_id("r", *parts)
    assert re.fullmatch(r"r(-[A-Za-z0-9_]*)+", made)  # no '-' inside an encoded value
    assert [_decode(p) for p in made.split("-")[1:]] == parts
