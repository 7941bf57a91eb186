"""Mean as a course option: `peer_review_scoring` in course.yaml sets how a course's peer
reviews combine scores; a block's own `scoring` overrides it."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.settings import Settings
from models.grading import Submission
from peer_review import assessments, assignment, queries, responses
from peer_review.blocks import peer_block
from tests.grading_app.conftest import FILES as COURSE_FILES
from tests.peer_review.conftest import COURSE_ID, EXTRA, QUICK_BLOCK, peer_course, students

MEDIAN_BLOCK = QUICK_BLOCK.replace("Quick review", "Median here").replace(
    "graded_by: 1", "graded_by: 2\n    scoring: median").replace("must_grade: 1",
                                                                 "must_grade: 0")
MEAN_BLOCK = QUICK_BLOCK.replace("Quick review", "Course default").replace(
    "graded_by: 1", "graded_by: 2").replace("must_grade: 1", "must_grade: 0")
MEAN_COURSE = {
    **EXTRA,
    "course.yaml": textwrap.dedent(COURSE_FILES["course.yaml"]).strip()
    + "\npeer_review_scoring: mean\n",
    "02-more/01-hw/01-unit-hw/07-avg.yaml": MEAN_BLOCK,
    "02-more/01-hw/01-unit-hw/08-med.yaml": MEDIAN_BLOCK,
}
LOW = {"scores": {"ideas": "none", "style": "poor"}, "criterion_feedback": {"ideas": "Thin"}}
HIGH = {"scores": {"ideas": "some", "style": "good"}, "criterion_feedback": {"ideas": "OK"}}


@pytest.fixture
async def mean_course(db: Settings, tmp_path: Path) -> AsyncIterator[None]:
    async with peer_course(db, tmp_path / "course", MEAN_COURSE):
        yield


async def _scored_by_two(block_id: str) -> tuple[dict, Submission]:
    author, r1, r2 = await students(3, prefix=f"{block_id}-")
    await responses.submit_response(author, COURSE_ID, block_id, "An essay")
    for reviewer in (r1, r2):
        await responses.submit_response(reviewer, COURSE_ID, block_id, "Mine")
    for reviewer, marks in ((r1, LOW), (r2, HIGH)):
        lease = await assignment.request_review(reviewer, COURSE_ID, block_id)
        while lease is not None and (await lease.response).author_id != author.id:
            # Not the author's: review it fairly and ask again.
            await assessments.submit_assessment(reviewer, lease.id, marks["scores"], "",
                                                marks["criterion_feedback"])
            lease = await assignment.request_review(reviewer, COURSE_ID, block_id)
        assert lease is not None
        await assessments.submit_assessment(reviewer, lease.id, marks["scores"], "",
                                            marks["criterion_feedback"])
    result = await queries.result_for(author, COURSE_ID, block_id)
    submission = await Submission.get(user_id=author.id, block_id=block_id)
    return result, submission


async def test_a_block_in_a_mean_course_scores_by_the_mean(mean_course):
    assert (await peer_block(COURSE_ID, "avg")).scoring == "mean"
    result, submission = await _scored_by_two("avg")
    assert result["status"] == "graded"
    # ideas: 0 and 1 -> mean 0.5 (median would round up to 1); style: 0 and 2 -> 1.
    assert [c["points"] for c in result["per_criterion"]] == [0.5, 1.0]
    assert result["points"] == 1.5
    assert submission.points == pytest.approx(1.5 / 5 * submission.max_points)


async def test_a_block_may_override_the_course_option(mean_course):
    assert (await peer_block(COURSE_ID, "med")).scoring == "median"
    result, _ = await _scored_by_two("med")
    assert [c["points"] for c in result["per_criterion"]] == [1.0, 1.0]
    assert result["points"] == 2.0


async def test_courses_default_to_the_median(course):
    assert (await peer_block(COURSE_ID, "quick")).scoring == "median"
