"""Resubmission rules (which attempt counts, cooldown), late policy with grace, and
staff extensions (later due date, extra attempts, revoke, audit trail)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.errors import BadInput, InvalidState, NotFound, PermissionDenied
from core.settings import Settings
from grading import extensions, gradebook, queries, submissions
from models.grading import ExtensionLog, Submission
from tests.grading_app.conftest import FILES, Course, drain, graded_course

EXTRA = {
    "course.yaml": FILES["course.yaml"].replace("mode: penalty", "mode: reject").replace(
        "penalty: 0.5", "penalty: 0\n            grace_minutes: 10"),
    "01-basics/01-quiz1/01-unit-one/03-last.yaml": """
        type: problem
        title: Last counts
        kind: multiple_choice
        prompt: Which is right?
        options:
          - {id: a, label: Right, correct: true}
          - {id: b, label: Wrong, correct: false}
        counts: last
        max_attempts: 3
    """,
    "01-basics/01-quiz1/01-unit-one/04-cool.yaml": """
        type: problem
        title: Cool down
        kind: numeric
        prompt: Six times seven?
        answer: {value: 42}
        cooldown_seconds: 60
    """,
    "01-basics/01-quiz1/01-unit-one/05-grace.yaml": """
        type: problem
        title: Just due
        kind: text
        prompt: Say hi.
        answers: [hi]
        due: {soon_past}
    """,
}


def _files() -> dict[str, str]:
    """The course files, with `grace` due 5 minutes before now (not before collection)."""
    soon_past = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {**EXTRA, "01-basics/01-quiz1/01-unit-one/05-grace.yaml":
            EXTRA["01-basics/01-quiz1/01-unit-one/05-grace.yaml"].format(soon_past=soon_past)}


@pytest.fixture
async def rules(db: Settings, tmp_path: Path) -> AsyncIterator[Course]:
    async with graded_course(db, tmp_path / "course", _files()) as c:
        yield c


async def _answer(c: Course, block: str, answer: dict, who=None) -> Submission:
    sub = await submissions.submit_answer(who or c.student, c.id, block, answer)
    await drain(c.queue)
    return await Submission.get(id=sub.id)


async def _points(c: Course, block: str, who=None) -> float | None:
    _, grade = await gradebook.student_grade(c.id, (who or c.student).id)
    return grade.blocks[block].points


async def test_best_attempt_counts_by_default_and_last_when_the_block_says(rules):
    # `pick` (default: best): right then wrong keeps 2 points.
    await _answer(rules, "pick", {"choice": "a"})
    await _answer(rules, "pick", {"choice": "b"})
    assert await _points(rules, "pick") == 2
    state = await queries.student_block_state(rules.student, rules.id, "pick")
    assert state.best is not None and state.best.points == 2
    # `last` (counts: last): right then wrong counts the wrong one.
    await _answer(rules, "last", {"choice": "a"})
    await _answer(rules, "last", {"choice": "b"})
    assert await _points(rules, "last") == 0
    state = await queries.student_block_state(rules.student, rules.id, "last")
    assert state.best is not None and state.best.attempt == 2 and state.best.points == 0


async def test_cooldown_between_attempts(rules):
    first = await _answer(rules, "cool", {"value": 41})
    with pytest.raises(InvalidState,
                       match=r"Wait \d+ s before your next attempt \(this exercise asks for 60"):
        await submissions.submit_answer(rules.student, rules.id, "cool", {"value": 42})
    assert await Submission.filter(block_id="cool").count() == 1  # refused: nothing stored
    await Submission.filter(id=first.id).update(
        submitted_at=datetime.now(UTC) - timedelta(seconds=61))
    assert (await _answer(rules, "cool", {"value": 42})).points == 1
    # Another student is not held back by this one's attempts.
    assert (await _answer(rules, "cool", {"value": 42}, rules.other)).attempt == 1


async def test_grace_minutes_under_the_reject_policy(rules):
    sub = await _answer(rules, "grace", {"text": "hi"})  # due 5 min ago, 10 min grace
    assert not sub.late and sub.points == 1
    with pytest.raises(InvalidState, match="late submissions are not accepted"):
        await submissions.submit_answer(rules.student, rules.id, "late", {"text": "hi"})


async def test_extension_lifts_the_reject_policy_for_one_student(rules):
    due = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    await extensions.grant_extension(rules.ta, rules.id, rules.student.id, "late", due, "ill")
    assert (await _answer(rules, "late", {"text": "hi"})).points == 1
    with pytest.raises(InvalidState, match="not accepted"):
        await submissions.submit_answer(rules.other, rules.id, "late", {"text": "hi"})


async def test_extension_grants_extra_attempts(course):
    for choice in ("b", "b"):  # `pick` allows 2 attempts
        await _answer(course, "pick", {"choice": choice})
    with pytest.raises(InvalidState, match="all 2 attempts"):
        await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    await extensions.grant_extension(course.ta, course.id, course.student.id, "pick", "",
                                  "lab crashed", extra_attempts="1")
    state = await queries.student_block_state(course.student, course.id, "pick")
    assert state.max_attempts == 3 and state.attempts_left == 1
    assert (await _answer(course, "pick", {"choice": "a"})).points == 2
    with pytest.raises(InvalidState, match="all 3 attempts"):
        await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    # Only that student got them.
    await _answer(course, "pick", {"choice": "b"}, course.other)
    await _answer(course, "pick", {"choice": "b"}, course.other)
    with pytest.raises(InvalidState, match="all 2 attempts"):
        await submissions.submit_answer(course.other, course.id, "pick", {"choice": "a"})


async def test_students_cannot_grant_extensions(course):
    with pytest.raises(PermissionDenied):
        await extensions.grant_extension(course.student, course.id, course.student.id, "late",
                                      "2030-01-01T00:00:00Z", "please")
    with pytest.raises(PermissionDenied):
        await extensions.list_extensions(course.student, course.id)


@pytest.mark.parametrize("due, extra, field", [
    ("", "", "due_at"), ("tomorrow", 0, "due_at"), ("", "-1", "extra_attempts"),
    ("", "1_0", "extra_attempts"), ("", "101", "extra_attempts"), ("", True, "extra_attempts"),
])
async def test_bad_extension_input(course, due, extra, field):
    with pytest.raises(BadInput) as caught:
        await extensions.grant_extension(course.ta, course.id, course.student.id, "late", due,
                                      "", extra)
    assert field in caught.value.fields


async def test_extensions_are_listed_revoked_and_audited(course):
    due = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    ext = await extensions.grant_extension(course.ta, course.id, course.other.id, "late", due,
                                        "ill")
    assert [e.id for e in await extensions.list_extensions(course.ta, course.id)] == [ext.id]
    on_time = await submissions.submit_answer(course.other, course.id, "late", {"text": "hi"})
    assert not on_time.late
    await drain(course.queue)
    await extensions.revoke_extension(course.instructor, course.id, ext.id, "granted by mistake")
    assert await extensions.list_extensions(course.ta, course.id) == []
    late = await submissions.submit_answer(course.other, course.id, "late", {"text": "hi"})
    assert late.late  # the block's own due date applies again
    log = await extensions.extension_log(course.ta, course.id)
    assert [(r.action, r.by_id, r.reason) for r in log] == [
        ("revoked", course.instructor.id, "granted by mistake"),
        ("granted", course.ta.id, "ill")]
    assert await ExtensionLog.filter(course_id=course.id).count() == 2
    with pytest.raises(NotFound):
        await extensions.revoke_extension(course.ta, course.id, ext.id)
    with pytest.raises(NotFound):
        await extensions.revoke_extension(course.ta, course.id, "99999999999999999999")
    with pytest.raises(PermissionDenied):
        await extensions.revoke_extension(course.student, course.id, ext.id)


async def test_gradebook_section_and_only_filters(course):
    await _answer(course, "pick", {"choice": "a"})
    await _answer(course, "number", {"value": 42})  # Ada: Quiz 100 % x 0.5, passes
    filt = gradebook.GradebookFilter
    chapters = dict((title, cid) for cid, title in
                    (await gradebook.gradebook(course.ta, course.id))[0].chapters)
    layout, rows = await gradebook.gradebook(course.ta, course.id,
                                             filt(section=chapters["More"]))
    assert [b.id for b in layout.blocks] == ["code", "essay"]
    assert [[s.title for s in r.sections] for r in rows] == [["More"], ["More"]]
    # The course totals still count every section.
    assert {r.name: round(r.percent, 3) for r in rows} == {"Ada": 0.5, "Bob": 0.0}
    header = gradebook.grades_csv(layout, rows).splitlines()[0]
    assert "section More" in header and "section Basics" not in header
    assert "pick (2)" not in header and "code (3)" in header
    _, failing = await gradebook.gradebook(course.ta, course.id, filt(only="failing"))
    assert [r.name for r in failing] == ["Bob"]
    sub = await submissions.submit_answer(course.other, course.id, "code", {"code": "x = 1"})
    _, pending = await gradebook.gradebook(course.ta, course.id, filt(only="pending"))
    assert [r.name for r in pending] == ["Bob"] and sub.status == "queued"
    with pytest.raises(BadInput, match="no section"):
        await gradebook.gradebook(course.ta, course.id, filt(section="nope"))


async def test_csv_cells_cannot_start_a_formula(course):
    for i, name in enumerate(["=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)",
                              "\tx", "\ry", "Plain"]):
        course.other.name = name
        await course.other.save()
        layout, rows = await gradebook.gradebook(course.ta, course.id,
                                                 gradebook.GradebookFilter(query="bob"))
        import csv
        import io
        cells = list(csv.reader(io.StringIO(gradebook.grades_csv(layout, rows))))[1]
        assert cells[1] == (name if name == "Plain" else "'" + name), i
    assert gradebook.csv_cell(-1.5) == -1.5  # numbers are left alone
