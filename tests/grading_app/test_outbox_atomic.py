"""Issue 12: every grading change commits in one transaction with its events (the
outbox). If an event row cannot be written the change is not kept either (no attempt
used up, no grade, no extension); a committed change always has its event rows.
Embedded and service mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grading import extensions, overrides, submissions
from grading.grade_job import grade_submission
from grading.results import give_up, record_error, record_grade
from models.grading import Extension, ExtensionLog, GradeOverride, Status, Submission
from tests.grading_app.conftest import drain
from tests.support.outbox_down import OutboxDown, event_names_since, last_seq, outbox_down


async def test_an_attempt_is_not_stored_without_its_events(course):
    with outbox_down(), pytest.raises(OutboxDown):
        await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    assert not await Submission.exists(user_id=course.student.id)  # no attempt used up
    seq = await last_seq()
    sub = await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    assert await Submission.exists(id=sub.id)
    assert "submission.status" in await event_names_since(seq)


async def _grading(course) -> Submission:
    """An attempt the grader has taken (`grading`), not yet ended."""
    sub = await submissions.submit_answer(course.student, course.id, "number", {"value": 42})
    await Submission.filter(id=sub.id).update(status=Status.GRADING)
    course.queue._jobs.get_nowait()  # no job: the test ends it by hand
    return await Submission.get(id=sub.id)


@pytest.mark.parametrize("end", ["grade", "error", "give_up"])
async def test_an_attempt_does_not_end_without_its_events(course, end):
    sub = await _grading(course)
    ends = {"grade": lambda s: record_grade(s, 1, 1, {"summary": "ok"}),
            "error": lambda s: record_error(s, "broken"),
            "give_up": lambda s: give_up(s, "stuck")}[end]
    with outbox_down(), pytest.raises(OutboxDown):
        await ends(sub)
    stored = await Submission.get(id=sub.id)
    assert stored.status == Status.GRADING and stored.points is None
    seq = await last_seq()
    assert await ends(await Submission.get(id=sub.id))
    names = await event_names_since(seq)
    assert "submission.status" in names
    assert ("grade.updated" in names) == (end == "grade")


async def test_an_extension_is_not_granted_or_revoked_without_its_event(course):
    due = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    with outbox_down(), pytest.raises(OutboxDown):
        await extensions.grant_extension(course.ta, course.id, course.student.id, "late",
                                         due, "ill")
    assert not await Extension.exists(user_id=course.student.id)
    assert not await ExtensionLog.exists(user_id=course.student.id)
    seq = await last_seq()
    ext = await extensions.grant_extension(course.ta, course.id, course.student.id, "late",
                                           due, "ill")
    assert await event_names_since(seq) == ["grading.deadline"]
    with outbox_down(), pytest.raises(OutboxDown):
        await extensions.revoke_extension(course.ta, course.id, ext.id, "no")
    assert await Extension.exists(id=ext.id)
    assert await ExtensionLog.filter(user_id=course.student.id).count() == 1


async def test_a_grade_override_is_not_kept_without_its_events(course):
    await submissions.submit_answer(course.student, course.id, "pick", {"choice": "b"})
    await drain(course.queue)
    with outbox_down(), pytest.raises(OutboxDown):
        await overrides.override_grade(course.ta, course.id, course.student.id, "pick", 2,
                                       "regrade")
    assert not await GradeOverride.exists(user_id=course.student.id)
    seq = await last_seq()
    await overrides.override_grade(course.ta, course.id, course.student.id, "pick", 2,
                                   "regrade")
    assert await event_names_since(seq) == ["grade.updated", "grade.updated"]


async def test_grading_does_not_start_without_its_event(course):
    sub = await submissions.submit_answer(course.student, course.id, "number", {"value": 42})
    course.queue._jobs.get_nowait()  # the test runs the job itself
    with outbox_down(), pytest.raises(OutboxDown):
        await grade_submission(sub.id)
    stored = await Submission.get(id=sub.id)
    assert stored.status == Status.QUEUED and stored.grader_runs == 0  # the job may run again
    seq = await last_seq()
    await grade_submission(sub.id)
    assert (await Submission.get(id=sub.id)).status == Status.GRADED
    names = await event_names_since(seq)
    assert names.count("submission.status") == 4  # grading, then graded (user + submission)
