"""Built-in problem answers graded right after the submit commits, without the queue, and
the widget rendered from the submission in hand (service level, no HTTP)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from grading import at_once, block_state, events, fragments, grade_job, overrides, submissions
from grading.sweeper import sweep_stale
from models.events import Event
from models.grading import Status, Submission
from tests.grading_app.conftest import drain


@pytest.fixture
def pushed(course, monkeypatch):
    """Grade at once, and check every pushed widget against the block read afresh."""
    frames: list[tuple[str, str, dict]] = []
    mismatches: list[str] = []
    publish_in_order = events.publish_in_order

    async def checking(publications):
        for topic, event, data, html in publications:
            frames.append((topic, event, data))
            if topic.startswith("user:") and event == "submission.status":
                s = data["self"]
                fresh = await block_state.block_state(s["user_id"], s["course_id"], s["block_id"])
                if html()["self"] != fragments.widget_html(fresh, oob=True):
                    mismatches.append(f"{s['status']}: {html()['self']}")
        return await publish_in_order(publications)

    monkeypatch.setattr(events, "publish_in_order", checking)
    at_once.grade_at_once(True)
    yield frames, mismatches
    at_once.grade_at_once(False)


def statuses(frames: list[tuple[str, str, dict]], user_id: int) -> list[str]:
    return [data["self"]["status"] if event == "submission.status" else event
            for topic, event, data in frames if topic == f"user:{user_id}"]


async def test_multiple_choice_is_graded_at_once_with_every_status_pushed(course, pushed):
    frames, mismatches = pushed
    sub = await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    assert sub.status == Status.QUEUED and course.queue.pending() == 0
    await at_once.finish(seconds=5)
    row = await Submission.get(id=sub.id)
    assert row.status == Status.GRADED and row.points == 2 and row.grader_runs == 1
    assert statuses(frames, course.student.id) == ["queued", "grading", "graded",
                                                   "grade.updated"]
    assert mismatches == []
    logged = await Event.filter(topic=f"user:{course.student.id}").order_by("id"
                                                                            ).values_list("name")
    assert [n for (n,) in logged] == ["submission.status"] * 3 + ["grade.updated"]


async def test_widget_from_memory_matches_a_fresh_read_with_best_and_override(course, pushed):
    frames, mismatches = pushed
    await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    await at_once.finish(seconds=5)
    await submissions.submit_answer(course.student, course.id, "pick", {"choice": "b"})
    await at_once.finish(seconds=5)  # 0 points now, "best so far: 2"
    await overrides.override_grade(course.ta, course.id, course.other.id, "number", 0.5, "oral")
    await submissions.submit_answer(course.other, course.id, "number", {"value": 1})
    await at_once.finish(seconds=5)  # graded 0, "set by staff: 0.5"
    assert mismatches == []
    assert statuses(frames, course.student.id).count("graded") == 2
    last = [d for t, e, d in frames if t == f"user:{course.other.id}" and e == "grade.updated"]
    assert last[-1]["self"]["points"] == 0.5 and last[-1]["self"]["overridden"]


async def test_code_answers_still_go_through_the_queue(course, pushed):
    sub = await submissions.submit_answer(course.student, course.id, "code",
                                      {"code": "def double(x):\n    return 2 * x\n"})
    assert course.queue.pending() == 1 and not at_once.running()
    assert (await Submission.get(id=sub.id)).status == Status.QUEUED


async def test_a_job_after_grading_at_once_records_no_second_grade(course, pushed):
    sub = await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    await at_once.finish(seconds=5)
    await asyncio.gather(*(grade_job.grade_submission(sub.id) for _ in range(2)))
    row = await Submission.get(id=sub.id)
    assert row.status == Status.GRADED and row.grader_runs == 1
    assert await Event.filter(topic=f"user:{course.student.id}",
                              name="grade.updated").count() == 1


async def test_answer_whose_grading_died_is_swept_and_graded_once(course, pushed):
    sub = await submissions.submit_answer(course.student, course.id, "number", {"value": 42})
    tasks = list(at_once.running())
    for task in tasks:  # the process dies before grading it
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert (await Submission.get(id=sub.id)).status == Status.QUEUED
    await Submission.filter(id=sub.id).update(
        enqueued_at=datetime.now(UTC) - timedelta(minutes=10))
    assert await sweep_stale(course.queue, stale_seconds=60) == [sub.id]
    await drain(course.queue)
    row = await Submission.get(id=sub.id)
    assert row.status == Status.GRADED and row.points == 1
    assert await Event.filter(topic=f"user:{course.student.id}",
                              name="grade.updated").count() == 1
