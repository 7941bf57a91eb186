"""Announcements are stored, logged as events, and only instructors post them."""

import pytest

from announcements.service import list_announcements, post_announcement
from core.errors import BadInput, NotFound, PermissionDenied
from models.events import Event
from tests.support.people import course_with, person


async def test_posting_stores_sanitised_html_and_logs_one_event(db):
    teacher = await person("t@example.org", creator=True)
    student = await person("s@example.org")
    course = await course_with(teacher, {student: "student"})
    a = await post_announcement(teacher, course.id, "Exam", "See <script>x</script> **now**")
    assert "<strong>now</strong>" in a.body_html and "<script>" not in a.body_html
    events = await Event.filter(topic=f"course:{course.id}")
    assert [(e.name, e.data_by_audience["*"]["id"]) for e in events] == [
        ("announcement.created", a.id)]
    assert [x.id for x in await list_announcements(student, course.id)] == [a.id]


async def test_students_and_tas_cannot_post_and_outsiders_cannot_read(db):
    teacher = await person("t@example.org", creator=True)
    ta, student, outsider = [await person(e) for e in ("ta@x.org", "s@x.org", "o@x.org")]
    course = await course_with(teacher, {ta: "ta", student: "student"})
    for who in (ta, student):
        with pytest.raises(PermissionDenied):
            await post_announcement(who, course.id, "t", "b")
    with pytest.raises(NotFound):
        await list_announcements(outsider, course.id)


async def test_empty_or_oversized_announcements_are_rejected_and_nothing_is_stored(db):
    teacher = await person("t@example.org", creator=True)
    course = await course_with(teacher, {})
    with pytest.raises(BadInput) as err:
        await post_announcement(teacher, course.id, " ", "x" * 20_001)
    assert set(err.value.fields) == {"title", "body"}
    assert await Event.filter(topic=f"course:{course.id}").count() == 0


async def test_newest_announcements_come_first(db):
    teacher = await person("t@example.org", creator=True)
    course = await course_with(teacher, {})
    ids = [(await post_announcement(teacher, course.id, f"n{i}", "b")).id for i in range(3)]
    assert [a.id for a in await list_announcements(teacher, course.id)] == ids[::-1]
