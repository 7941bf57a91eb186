"""Submitting and grading, at the service level (no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import BadInput, InvalidState, NotFound, PermissionDenied, TooLarge
from grading import (
    block_state,
    extensions,
    grade_job,
    gradebook,
    overrides,
    queries,
    results,
    submissions,
)
from grading.events import _authorize_submission
from grading.sweeper import sweep_stale
from models.grading import GradeOverride, Status, Submission
from realtime.topics import Topic
from tests.grading_app.conftest import drain


async def test_submission_is_committed_queued_then_graded(course):
    sub = await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    assert sub.status == Status.QUEUED and sub.attempt == 1
    assert (await Submission.get(id=sub.id)).status == Status.QUEUED
    assert await drain(course.queue) == [sub.id]
    graded = await Submission.get(id=sub.id)
    assert graded.status == Status.GRADED
    assert graded.points == 2 and graded.max_points == 2 and graded.graded_at is not None
    assert graded.feedback["summary"] == "Correct"


async def test_malformed_answer_uses_no_attempt(course):
    with pytest.raises(BadInput):
        await submissions.submit_answer(course.student, course.id, "pick", {"choice": "zzz"})
    with pytest.raises(BadInput):
        await submissions.submit_answer(course.student, course.id, "number", {"value": "x"})
    with pytest.raises(TooLarge):
        await submissions.submit_answer(course.student, course.id, "code", {"code": "x" * 200_000})
    assert await Submission.all().count() == 0


async def test_max_attempts_and_one_attempt_in_flight(course):
    await submissions.submit_answer(course.student, course.id, "pick", {"choice": "b"})
    with pytest.raises(InvalidState, match="still being graded"):
        await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    await drain(course.queue)
    second = await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    assert second.attempt == 2
    await drain(course.queue)
    with pytest.raises(InvalidState, match="all 2 attempts"):
        await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    state = await block_state.block_state(course.student.id, course.id, "pick")
    assert state.best.points == 2 and state.attempts_left == 0


async def test_late_submission_gets_the_penalty_and_extension_lifts_it(course):
    late = await submissions.submit_answer(course.student, course.id, "late", {"text": "hi"})
    assert late.late and late.late_penalty == 0.5
    await drain(course.queue)
    assert (await Submission.get(id=late.id)).points == 0.5
    await extensions.grant_extension(course.ta, course.id, course.other.id, "late",
                                  (datetime.now(UTC) + timedelta(days=1)).isoformat(), "ill")
    on_time = await submissions.submit_answer(course.other, course.id, "late", {"text": "hi"})
    assert not on_time.late
    await drain(course.queue)
    assert (await Submission.get(id=on_time.id)).points == 1


async def test_reject_policy_refuses_late_answers(db, tmp_path):
    from tests.grading_app.conftest import COURSE_ID, FILES, setup_course

    policy = FILES["course.yaml"].replace("mode: penalty", "mode: reject")
    from content_store.connect import STORE, open_content_store
    from grading.queue import QUEUE, InProcessQueue

    store, close = await open_content_store(db)
    STORE.bind(store)
    QUEUE.bind(InProcessQueue())
    try:
        _, _, student, _ = await setup_course(db, tmp_path / "c", {"course.yaml": policy})
        with pytest.raises(InvalidState, match="late submissions are not accepted"):
            await submissions.submit_answer(student, COURSE_ID, "late", {"text": "hi"})
        assert await Submission.all().count() == 0
    finally:
        QUEUE.bind(None)
        STORE.bind(None)
        close()


async def test_grading_twice_records_one_grade(course):
    sub = await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    await grade_job.grade_submission(sub.id)
    await grade_job.grade_submission(sub.id)
    row = await Submission.get(id=sub.id)
    assert row.status == Status.GRADED and row.grader_runs == 1
    # A run that started grading but lost the race to record: the conditional UPDATE.
    await Submission.filter(id=sub.id).update(status=Status.GRADING)
    row = await Submission.get(id=sub.id)
    assert await results.record_grade(row, 0.0, 2.0, {"summary": "x"})
    assert not await results.record_grade(row, 2.0, 2.0, {"summary": "y"})
    assert (await Submission.get(id=sub.id)).points == 0.0


async def test_sweeper_requeues_stuck_submissions(course):
    sub = await submissions.submit_answer(course.student, course.id, "number", {"value": 42})
    course.queue._jobs.get_nowait()  # the job is lost
    assert await sweep_stale(course.queue, stale_seconds=60) == []
    old = datetime.now(UTC) - timedelta(minutes=5)
    await Submission.filter(id=sub.id).update(enqueued_at=old)
    assert await sweep_stale(course.queue, stale_seconds=60) == [sub.id]
    assert await sweep_stale(course.queue, stale_seconds=60) == []  # claimed once
    await drain(course.queue)
    assert (await Submission.get(id=sub.id)).status == Status.GRADED


async def test_code_is_graded_in_the_sandbox(course):
    sub = await submissions.submit_answer(course.student, course.id, "code",
                                      {"code": "def double(x):\n    return x * 2\n"})
    await drain(course.queue)
    row = await Submission.get(id=sub.id)
    assert row.status == Status.GRADED, row.error_message
    assert row.points == 3 and row.feedback["items"][0]["passed"]
    wrong = await submissions.submit_answer(course.student, course.id, "code",
                                        {"code": "def double(x):\n    return x * 3\n"})
    await drain(course.queue)
    row = await Submission.get(id=wrong.id)
    assert row.status == Status.GRADED and row.points == 0
    assert not row.feedback["items"][0]["passed"]


async def test_submission_topic_with_an_enormous_id_is_denied(course):
    sub = await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    own = Topic(f"submission:{sub.id}", "submission", str(sub.id))
    assert await _authorize_submission(own, course.student) == "self"
    assert await _authorize_submission(own, course.other) is None
    for key in ("9" * 40, "0", "-1", "١٢", "1e3"):
        topic = Topic(f"submission:{key}", "submission", key)
        assert await _authorize_submission(topic, course.student) is None


async def test_peer_review_waits_for_peers(course):
    sub = await submissions.submit_answer(course.student, course.id, "essay", {"text": "My essay"})
    assert sub.status == Status.AWAITING_PEER_REVIEW
    assert await drain(course.queue) == []
    with pytest.raises(InvalidState):
        await submissions.submit_answer(course.student, course.id, "essay", {"text": "again"})


async def test_only_owner_and_staff_read_a_submission(course):
    sub = await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    assert (await queries.get_submission(course.ta, sub.id)).id == sub.id
    with pytest.raises(NotFound):
        await queries.get_submission(course.other, sub.id)


async def test_override_is_audited_and_wins(course):
    await submissions.submit_answer(course.student, course.id, "pick", {"choice": "b"})
    await drain(course.queue)
    with pytest.raises(PermissionDenied):
        await overrides.override_grade(course.other, course.id, course.student.id, "pick", 2, "x")
    with pytest.raises(BadInput):
        await overrides.override_grade(course.ta, course.id, course.student.id, "pick", 5, "x")
    with pytest.raises(BadInput):
        await overrides.override_grade(course.ta, course.id, course.student.id, "pick", 2, "")
    await overrides.override_grade(course.ta, course.id, course.student.id, "pick", 1.5, "regrade")
    _, grade = await gradebook.student_grade(course.id, course.student.id)
    assert grade.blocks["pick"].points == 1.5 and grade.blocks["pick"].overridden
    await overrides.override_grade(course.ta, course.id, course.student.id, "pick", "", "undo")
    _, grade = await gradebook.student_grade(course.id, course.student.id)
    assert grade.blocks["pick"].points == 0 and not grade.blocks["pick"].overridden
    trail = await GradeOverride.filter(course_id=course.id).order_by("id")
    assert [(o.points, o.previous_points, o.reason) for o in trail] == [
        (1.5, 0.0, "regrade"), (None, 1.5, "undo")]


async def test_gradebook_weights_drops_and_sections(course):
    # Quiz one: pick 2/2 + number 1/1 = 100%; Quiz two: late 0/1 = 0%, dropped (lowest).
    await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    await submissions.submit_answer(course.student, course.id, "number", {"value": 42.2})
    await drain(course.queue)
    layout, grade = await gradebook.student_grade(course.id, course.student.id)
    quiz, homework = grade.types
    assert [a.dropped for a in quiz.assignments] == [False, True]
    assert quiz.percent == 1.0 and homework.percent == 0.0
    assert grade.percent == 0.5 and grade.passed
    assert [(s.title, s.earned, s.possible) for s in grade.sections] == [
        ("Basics", 3.0, 4.0), ("More", 0.0, 5.0)]
    _, rows = await gradebook.gradebook(course.ta, course.id,
                                        gradebook.GradebookFilter(query="ada"))
    assert [r.name for r in rows] == ["Ada"]
    _, own = await gradebook.gradebook(course.other, course.id)
    assert [r.name for r in own] == ["Bob"]
    csv_text = gradebook.grades_csv(layout, rows)
    assert csv_text.splitlines()[1].startswith(f"{course.student.id},Ada,ada@example.org,50.00,yes")
