"""Per-group dates: a student's effective deadline is their own extension, else their
group's date, else the block's; late refusal follows it, the group's students are told
live, and the gradebook defaults to the viewer's groups."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.errors import BadInput, InvalidState, NotFound, PermissionDenied
from core.settings import Settings
from courses import groups
from courses.service import set_member_role
from grading import extensions, group_deadlines, queries, submissions
from grading.gradebook import GradebookFilter, gradebook
from grading.group_dates import effective_date
from models.courses import Role
from models.events import Event
from tests.grading_app.conftest import FILES, Course, graded_course

REJECT = {"course.yaml": FILES["course.yaml"].replace("mode: penalty", "mode: reject")}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_own_extension_beats_the_group_date_which_beats_the_block():
    block, group, own = T0, T0 + timedelta(days=1), T0 + timedelta(days=2)
    assert effective_date(block, group, own) == (own, True)
    assert effective_date(block, group, None) == (group, True)
    assert effective_date(block, None, None) == (block, False)
    assert effective_date(None, None, None) == (None, False)
    assert effective_date(None, group, None) == (group, True)
    earlier = T0 - timedelta(days=3)  # an override may also be earlier than the block's
    assert effective_date(block, earlier, None) == (earlier, True)


@pytest.fixture
async def rules(db: Settings, tmp_path: Path) -> AsyncIterator[Course]:
    async with graded_course(db, tmp_path / "course", REJECT) as c:
        await set_member_role(c.instructor, c.id, c.student.id, Role.STUDENT, "A")
        await set_member_role(c.instructor, c.id, c.other.id, Role.STUDENT, "B")
        yield c


async def group_id(course: Course, name: str) -> int:
    [found] = [s.group.id for s in await groups.list_groups(course.instructor, course.id)
               if s.group.name == name]
    return found


async def test_a_group_date_lets_its_students_submit_and_no_one_else(rules):
    with pytest.raises(InvalidState, match="not accepted"):  # `late` was due in 2020
        await submissions.submit_answer(rules.student, rules.id, "late", {"text": "hi"})
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    before = await Event.filter(topic=f"user:{rules.student.id}").count()
    await group_deadlines.set_group_deadline(rules.ta, rules.id, await group_id(rules, "A"),
                                             "late", due_at=later)
    # Ada's open pages are told (her widget with the new date); Bob's are not.
    told = await Event.filter(topic=f"user:{rules.student.id}").order_by("id")
    assert len(told) == before + 1 and told[-1].name == "grading.deadline"
    assert "your group" in told[-1].html_by_audience["self"]
    assert not await Event.filter(topic=f"user:{rules.other.id}", name="grading.deadline"
                                  ).exists()
    state = await queries.student_block_state(rules.student, rules.id, "late")
    assert state.deadline.for_group and state.deadline.due_at is not None
    sub = await submissions.submit_answer(rules.student, rules.id, "late", {"text": "hi"})
    assert not sub.late
    with pytest.raises(InvalidState, match="not accepted"):
        await submissions.submit_answer(rules.other, rules.id, "late", {"text": "hi"})


async def test_a_students_own_extension_beats_their_groups_date(rules):
    a = await group_id(rules, "A")
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    await group_deadlines.set_group_deadline(rules.ta, rules.id, a, "late", due_at=later)
    await extensions.grant_extension(rules.ta, rules.id, rules.student.id, "late", past)
    state = await queries.student_block_state(rules.student, rules.id, "late")
    assert state.deadline.due_at.isoformat()[:16] == past[:16]
    assert not state.deadline.for_group
    with pytest.raises(InvalidState, match="not accepted"):
        await submissions.submit_answer(rules.student, rules.id, "late", {"text": "hi"})


async def test_taking_the_group_date_back_restores_the_blocks(rules):
    a = await group_id(rules, "A")
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    await group_deadlines.set_group_deadline(rules.ta, rules.id, a, "late", due_at=later)
    await group_deadlines.clear_group_deadline(rules.ta, rules.id, a, "late")
    with pytest.raises(InvalidState, match="not accepted"):
        await submissions.submit_answer(rules.student, rules.id, "late", {"text": "hi"})
    with pytest.raises(NotFound):
        await group_deadlines.clear_group_deadline(rules.ta, rules.id, a, "late")


async def test_moving_to_a_group_or_losing_it_tells_the_students_open_pages(rules):
    """A move changes which date applies: the moved student's pages get it in the same
    transaction (courses.group_moves -> grading.group_deadlines.members_moved)."""
    later = datetime.now(UTC) + timedelta(days=2)
    a = await group_id(rules, "A")
    await group_deadlines.set_group_deadline(rules.ta, rules.id, a, "late",
                                             due_at=later.isoformat())

    async def told(user_id: int) -> list[Event]:
        return await Event.filter(topic=f"user:{user_id}", name="grading.deadline"
                                  ).order_by("id")

    assert await told(rules.other.id) == []
    await set_member_role(rules.instructor, rules.id, rules.other.id, Role.STUDENT, "A")
    [bob] = await told(rules.other.id)  # Bob joined A: his late block now has A's date
    assert "your group" in bob.html_by_audience["self"]
    state = await queries.student_block_state(rules.other, rules.id, "late")
    assert state.deadline.for_group and state.deadline.due_at is not None
    assert abs(state.deadline.due_at - later) < timedelta(seconds=1)

    await set_member_role(rules.instructor, rules.id, rules.other.id, Role.STUDENT, "B")
    assert len(await told(rules.other.id)) == 2  # back to B: the block's own date again
    state = await queries.student_block_state(rules.other, rules.id, "late")
    assert not state.deadline.for_group
    await set_member_role(rules.instructor, rules.id, rules.other.id, Role.TA, "B")
    assert len(await told(rules.other.id)) == 2  # not a move: staff have no dates

    before = len(await told(rules.student.id))
    await groups.delete_group(rules.instructor, rules.id, a)  # Ada loses her group
    after = await told(rules.student.id)
    assert len(after) == before + 1
    assert "your group" not in after[-1].html_by_audience["self"]
    state = await queries.student_block_state(rules.student, rules.id, "late")
    assert not state.deadline.for_group


async def test_bad_group_dates_are_refused(rules):
    a = await group_id(rules, "A")
    with pytest.raises(BadInput) as caught:
        await group_deadlines.set_group_deadline(rules.ta, rules.id, a, "late")
    assert "due_at" in caught.value.fields
    with pytest.raises(BadInput) as caught:
        await group_deadlines.set_group_deadline(rules.ta, rules.id, a, "late",
                                                 due_at="tomorrow")
    assert "due_at" in caught.value.fields
    with pytest.raises(BadInput) as caught:
        await group_deadlines.set_group_deadline(
            rules.ta, rules.id, a, "late", opens_at="2030-01-02T00:00:00Z",
            closes_at="2030-01-01T00:00:00Z")
    assert "closes_at" in caught.value.fields
    with pytest.raises(NotFound):
        await group_deadlines.set_group_deadline(rules.ta, rules.id, 999999, "late",
                                                 due_at="2030-01-01T00:00:00Z")
    with pytest.raises(NotFound):
        await group_deadlines.set_group_deadline(rules.ta, rules.id, a, "no-such-block",
                                                 due_at="2030-01-01T00:00:00Z")
    with pytest.raises(PermissionDenied):
        await group_deadlines.set_group_deadline(rules.student, rules.id, a, "late",
                                                 due_at="2030-01-01T00:00:00Z")


async def test_gradebook_defaults_to_the_viewers_groups(rules):
    await groups.assign_staff(rules.instructor, rules.id, await group_id(rules, "A"),
                              [rules.ta.id])
    mine = await groups.choose_groups(rules.ta, rules.id, "")
    assert (mine.chosen, mine.names) == ("mine", ("A",))
    _layout, rows = await gradebook(rules.ta, rules.id, GradebookFilter(groups=mine.names))
    assert [g.name for g in rows] == ["Ada"]
    every = await groups.choose_groups(rules.ta, rules.id, "all")
    _layout, rows = await gradebook(rules.ta, rules.id, GradebookFilter(groups=every.names))
    assert [g.name for g in rows] == ["Ada", "Bob"]
    b = await groups.choose_groups(rules.ta, rules.id, "B")
    _layout, rows = await gradebook(rules.ta, rules.id, GradebookFilter(groups=b.names))
    assert [g.name for g in rows] == ["Bob"]
    with pytest.raises(NotFound):
        await groups.choose_groups(rules.ta, rules.id, "Nope")
    # Unassigned staff see everyone by default.
    assert (await groups.choose_groups(rules.instructor, rules.id, "")).names is None
