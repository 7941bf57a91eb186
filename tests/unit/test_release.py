"""The release rule (courses.release): what of a course a student sees at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from content_store.keys import BlockKey
from content_store.outline import build_outline
from content_store.structure import Block, EditInfo, Structure
from courses.release import outline_for, path_mark, release_of, start_times

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PAST = (NOW - timedelta(days=1)).isoformat()
FUTURE = (NOW + timedelta(days=1)).isoformat()


def structure(tree: tuple) -> Structure:
    """(type, id, fields, [children]) nested -> a Structure."""
    blocks: dict[BlockKey, Block] = {}
    info = EditInfo("t", NOW, ObjectId())

    def add(node: tuple) -> BlockKey:
        kind, block_id, fields, children = node
        key = BlockKey(kind, block_id)
        blocks[key] = Block(key, {"title": block_id, **fields},
                            tuple(add(child) for child in children), ObjectId(), info)
        return key

    root = add(tree)
    return Structure(ObjectId(), root, blocks, "t", NOW, None, ObjectId())


def course(course_fields: dict | None = None, chapter: dict | None = None,
           sequential: dict | None = None, unit: dict | None = None,
           leaf: dict | None = None) -> Structure:
    return structure(("course", "course", course_fields or {}, [
        ("chapter", "ch1", chapter or {}, [
            ("sequential", "seq1", sequential or {}, [
                ("vertical", "u1", unit or {}, [("html", "h1", leaf or {}, [])])])]),
        ("chapter", "ch2", {}, [("sequential", "seq2", {}, [("vertical", "u2", {}, [])])]),
    ]))


def withheld(s: Structure, now: datetime = NOW) -> set[str]:
    return set(release_of(s, now).withheld)


def test_everything_released_is_visible():
    assert withheld(course({"start": PAST}, {"start": PAST}, {"start": PAST})) == set()


def test_a_future_chapter_withholds_everything_inside_it():
    assert withheld(course(chapter={"start": FUTURE})) == {"ch1", "seq1", "u1", "h1"}


def test_a_future_subsection_withholds_its_units():
    assert withheld(course(sequential={"start": FUTURE})) == {"seq1", "u1", "h1"}


def test_hidden_and_staff_only_withhold_at_every_level():
    for level in ("chapter", "sequential", "unit", "leaf"):
        for mark in ("hidden", "staff_only"):
            found = withheld(course(**{level: {mark: True}}))
            top = {"chapter": "ch1", "sequential": "seq1", "unit": "u1", "leaf": "h1"}[level]
            assert top in found and "ch2" not in found, (level, mark)


def test_a_course_not_started_withholds_all_but_its_root():
    s = course({"start": FUTURE})
    assert withheld(s) == {b.id for b in s.blocks} - {"course"}
    assert withheld(s, NOW + timedelta(days=2)) == set()


def test_the_course_end_hides_nothing_but_is_reported():
    release = release_of(course({"end": PAST}), NOW)
    assert release.withheld == frozenset() and release.ended
    assert not release_of(course({"end": FUTURE}), NOW).ended


def test_start_on_a_unit_or_leaf_is_ignored():
    # Only the course, chapters and subsections have release dates.
    assert withheld(course(unit={"start": FUTURE}, leaf={"start": FUTURE})) == set()


def test_staff_see_everything_marked_and_students_get_no_marks():
    s = course(chapter={"start": FUTURE}, unit={"hidden": True})
    release = release_of(s, NOW)
    staff = outline_for(build_outline(s), release, "staff")
    student = outline_for(build_outline(s), release, "student")
    assert [c["id"] for c in staff["children"]] == ["ch1", "ch2"]
    assert staff["children"][0]["release"]["reason"] == "starts"
    assert staff["children"][0]["release"]["label"].startswith("Releases Tue 2 Jun 2026")
    assert [c["id"] for c in student["children"]] == ["ch2"]
    assert "release" not in str(student)
    assert release.sees("staff", "h1") and not release.sees("student", "h1")
    assert path_mark(s, release, BlockKey("html", "h1")).reason == "hidden"  # the nearest
    assert path_mark(s, release, BlockKey("sequential", "seq1")).reason == "starts"


def test_future_starts_are_listed_in_order():
    later = (NOW + timedelta(days=3)).isoformat()
    s = course({"start": PAST}, {"start": later}, {"start": FUTURE})
    release = release_of(s, NOW)
    assert [t.isoformat() for t in release.starts] == [FUTURE, later]
    assert release.next_start.isoformat() == FUTURE
    assert len(start_times(s)) == 3


# -- properties over random trees and times ---------------------------------------------

OFFSETS = st.one_of(st.none(), st.integers(-3, 3))
FLAGS = st.fixed_dictionaries({}, optional={"hidden": st.booleans(),
                                            "staff_only": st.booleans()})


def _fields(flags: dict, offset: int | None) -> dict:
    fields = dict(flags)
    if offset is not None:
        fields["start"] = (NOW + timedelta(hours=offset)).isoformat()
    return fields


@st.composite
def courses(draw):
    counter = iter(range(10_000))

    def leaf():
        return ("html", f"b{next(counter)}", draw(FLAGS), [])

    def level(kind, child, n):
        return [(kind, f"b{next(counter)}", _fields(draw(FLAGS), draw(OFFSETS)),
                 child()) for _ in range(draw(st.integers(0, n)))]

    units = lambda: [("vertical", f"b{next(counter)}", draw(FLAGS),  # noqa: E731
                      [leaf() for _ in range(draw(st.integers(0, 2)))])
                     for _ in range(draw(st.integers(0, 2)))]
    chapters = level("chapter", lambda: level("sequential", units, 2), 3)
    return structure(("course", "course", _fields({}, draw(OFFSETS)), chapters))


@settings(max_examples=150, deadline=None)
@given(courses(), st.integers(-4, 4))
def test_a_student_sees_a_block_only_with_everything_above_it(s, hours):
    now = NOW + timedelta(hours=hours)
    release = release_of(s, now)
    for key in s.blocks:
        if key == s.root:
            assert release.student_sees(key.id)
            continue
        chain = [key, *s.ancestors(key)]
        open_ = all(not s.blocks[k].fields.get("hidden") and not s.blocks[k].fields.get(
            "staff_only") for k in chain if k != s.root) and all(
            "start" not in s.blocks[k].fields
            or datetime.fromisoformat(s.blocks[k].fields["start"]) <= now for k in chain)
        assert release.student_sees(key.id) == open_, key


@settings(max_examples=100, deadline=None)
@given(courses(), st.integers(-4, 4))
def test_the_student_outline_is_the_staff_outline_minus_what_is_withheld(s, hours):
    release = release_of(s, NOW + timedelta(hours=hours))
    staff = outline_for(build_outline(s), release, "staff")
    student = outline_for(build_outline(s), release, "student")

    def ids(node, out):
        out.append(node["id"])
        for child in node["children"]:
            ids(child, out)
        return out

    assert ids(staff, []) == [k.id for k in s.descendants(s.root)]
    assert ids(student, []) == [i for i in ids(staff, []) if release.student_sees(i)]
    # Time only ever releases more: a later moment withholds a subset.
    later = release_of(s, NOW + timedelta(hours=hours + 1))
    assert later.withheld <= release.withheld
