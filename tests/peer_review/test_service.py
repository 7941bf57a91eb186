"""The peer review flow through the services: submit, review, score, cancel, anonymity."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import BadInput, Conflict, InvalidState
from grading.submissions import submit_answer
from models.grading import Status, Submission
from models.peer_review import AssignmentStatus, PeerAssignment, PeerResponse, PeerReviewer
from peer_review import assessments, assignment, expiry, queries, responses, results
from tests.peer_review.conftest import BLOCK, COURSE_ID, GOOD, respond, students


async def test_grading_submission_enters_the_peer_queue(course):
    submission = await submit_answer(course.student, COURSE_ID, BLOCK, {"text": "An essay"})
    assert submission.status == Status.AWAITING_PEER_REVIEW
    response = await PeerResponse.get(submission_id=submission.id)
    assert response.author_id == course.student.id and response.text == "An essay"


async def test_reviewing_needs_your_own_response_first(course):
    with pytest.raises(InvalidState):
        await assignment.request_review(course.student, COURSE_ID, BLOCK)


async def test_no_self_review_and_waiting_until_someone_else_submits(course):
    await respond(course.student)
    assert await assignment.request_review(course.student, COURSE_ID, BLOCK) is None
    row = await PeerReviewer.get(reviewer_id=course.student.id)
    assert row.waiting_since is not None
    other = await respond(course.other)
    # The waiting reviewer was handed the new response at once.
    lease = await PeerAssignment.get(reviewer_id=course.student.id)
    assert lease.response_id == other.id and lease.status == AssignmentStatus.OPEN
    await row.refresh_from_db()
    assert row.waiting_since is None


async def test_open_lease_is_handed_back_to_the_same_reviewer(course):
    a, b, c = await students(3)
    for s in (a, b, c):
        await respond(s)
    first = await assignment.request_review(a, COURSE_ID, BLOCK)
    again = await assignment.request_review(a, COURSE_ID, BLOCK)
    assert first is not None and again is not None and first.id == again.id


async def test_fewest_reviews_first_then_oldest(course):
    a, b, c, d = await students(4)
    ra, rb, rc = [await respond(s) for s in (a, b, c)]
    await respond(d)
    # d: the oldest (a's). b: a's now has a lease, so the oldest unleased that isn't b's own.
    got_d = await assignment.request_review(d, COURSE_ID, BLOCK)
    assert got_d.response_id == ra.id
    got_b = await assignment.request_review(b, COURSE_ID, BLOCK)
    assert got_b.response_id == rc.id
    got_c = await assignment.request_review(c, COURSE_ID, BLOCK)
    assert got_c.response_id == rb.id


async def test_expired_lease_returns_to_queue_and_goes_to_a_waiter(course):
    a, b, c = await students(3)
    ra = await respond(a)
    await respond(b)
    lease = await assignment.request_review(b, COURSE_ID, BLOCK)  # b holds a's
    assert lease.response_id == ra.id
    await respond(c)
    got = await assignment.request_review(c, COURSE_ID, BLOCK)  # b's: a's is leased
    await assessments.submit_assessment(c, got.id, GOOD["scores"], "", GOOD["criterion_feedback"])
    # c still owes a review, so c may take a's though b holds it (load 1 < graded_by)
    nxt = await assignment.request_review(c, COURSE_ID, BLOCK)
    assert nxt.response_id == ra.id
    await assessments.submit_assessment(c, nxt.id, GOOD["scores"], "", GOOD["criterion_feedback"])
    assert await assignment.request_review(c, COURSE_ID, BLOCK) is None  # c waits
    # b's lease runs out: a's goes back to the queue (c, waiting, has assessed it already).
    expired = await expiry.expire_leases(datetime.now(UTC) + timedelta(hours=9))
    assert expired == 1
    assert (await PeerAssignment.get(id=lease.id)).status == AssignmentStatus.EXPIRED
    assert (await PeerResponse.get(id=ra.id)).load == 1


async def test_score_is_median_and_lands_in_the_gradebook(course):
    a, b, c = await students(3)
    ra, rb, rc = [await respond(s) for s in (a, b, c)]
    for reviewer in (a, b, c):
        for _ in range(2):
            lease = await assignment.request_review(reviewer, COURSE_ID, BLOCK)
            await assessments.submit_assessment(reviewer, lease.id, GOOD["scores"], "ok",
                                                GOOD["criterion_feedback"])
    for r in (ra, rb, rc):
        await r.refresh_from_db()
        assert r.received == 2 and r.points == 5.0
        sub = await Submission.get(id=r.submission_id)
        assert sub.status == Status.GRADED and sub.points == 5.0
    result = await queries.result_for(a, COURSE_ID, BLOCK)
    assert result["status"] == "graded" and result["points"] == 5.0
    assert [c["points"] for c in result["per_criterion"]] == [3.0, 2.0]
    # Anonymous to the author: no reviewer's name, email or id, in any field.
    assert set(result) == {"course_id", "block_id", "status", "points", "max_points",
                           "per_criterion", "feedback", "reviews_received",
                           "reviews_required", "reviews_given", "must_grade"}
    assert all(set(c) == {"name", "label", "points", "max_points", "feedback"}
               for c in result["per_criterion"])
    text = json.dumps(result)
    for reviewer in (b, c):
        assert reviewer.name not in text and reviewer.email not in text
    assert result["feedback"] == ["ok", "ok"]


async def test_score_waits_for_the_authors_own_reviews(course):
    a, b, c = await students(3)
    ra = await respond(a)
    await respond(b)
    await respond(c)
    for reviewer in (b, c):
        lease = await assignment.request_review(reviewer, COURSE_ID, BLOCK)
        if lease.response_id != ra.id:
            await assessments.submit_assessment(reviewer, lease.id, GOOD["scores"], "",
                                                GOOD["criterion_feedback"])
            lease = await assignment.request_review(reviewer, COURSE_ID, BLOCK)
        await assessments.submit_assessment(reviewer, lease.id, GOOD["scores"], "",
                                            GOOD["criterion_feedback"])
    await ra.refresh_from_db()
    assert ra.received == 2 and ra.scored_at is None
    assert (await queries.result_for(a, COURSE_ID, BLOCK))["status"] == \
        "waiting_for_your_reviews"


async def test_assessment_is_checked_against_the_rubric(course):
    a, b = await students(2)
    await respond(a)
    await respond(b)
    lease = await assignment.request_review(a, COURSE_ID, BLOCK)
    with pytest.raises(BadInput) as err:
        await assessments.submit_assessment(a, lease.id, {"ideas": "many"}, "", {})
    assert set(err.value.fields) == {"scores.style", "feedback.ideas"}
    with pytest.raises(BadInput):
        await assessments.submit_assessment(a, lease.id, GOOD["scores"], "",
                                            {"ideas": "x", "style": "not allowed"})
    await assessments.submit_assessment(a, lease.id, GOOD["scores"], "", GOOD["criterion_feedback"])
    with pytest.raises(Conflict):
        await assessments.submit_assessment(a, lease.id, GOOD["scores"], "",
                                            GOOD["criterion_feedback"])


async def test_staff_cancel_removes_from_queue_and_ends_leases(course):
    a, b, c = await students(3)
    ra = await respond(a)
    await respond(b)
    lease = await assignment.request_review(b, COURSE_ID, BLOCK)
    assert lease.response_id == ra.id
    await responses.cancel_response(course.ta, ra.id, "Plagiarised")
    assert (await PeerAssignment.get(id=lease.id)).status == AssignmentStatus.CANCELLED
    sub = await Submission.get(id=ra.submission_id)
    assert sub.status == Status.ERROR and "Plagiarised" in sub.error_message
    await respond(c)
    got = await assignment.request_review(b, COURSE_ID, BLOCK)
    assert got.response_id != ra.id
    with pytest.raises(InvalidState):
        await assessments.submit_assessment(b, lease.id, GOOD["scores"], "",
                                            GOOD["criterion_feedback"])
    # The student may submit again.
    again = await submit_answer(a, COURSE_ID, BLOCK, {"text": "Second try"})
    assert again.attempt == 2


async def test_staff_assessment_overrides_and_releases_the_score(course):
    a, = await students(1)
    ra = await respond(a)
    await assessments.staff_assess(course.ta, ra.id, {"ideas": "some", "style": "poor"}, "See me",
                                   {"ideas": "Thin."})
    result = await queries.result_for(a, COURSE_ID, BLOCK)
    assert result["status"] == "graded" and result["points"] == 1.0
    assert (await Submission.get(id=ra.submission_id)).points == 1.0


async def test_flexible_grading_releases_with_fewer_reviews(course):
    from peer_review.blocks import peer_block

    a, b, c = await students(3)
    ra = await respond(a)
    await respond(b)
    await respond(c)
    block = await peer_block(COURSE_ID, BLOCK)
    flexible = type(block)(**{**block.__dict__, "flexible_after_days": 7, "must_grade": 0})
    lease = await assignment.request_review(b, COURSE_ID, BLOCK)
    assert lease.response_id == ra.id
    await assessments.submit_assessment(b, lease.id, GOOD["scores"], "", GOOD["criterion_feedback"])
    await ra.refresh_from_db()
    assert not await results.release_score(ra, flexible)
    later = datetime.now(UTC) + timedelta(days=8)
    assert await results.release_score(ra, flexible, at=later)
    assert (await PeerResponse.get(id=ra.id)).points == 5.0


async def test_expired_lease_goes_to_a_waiting_reviewer_via_the_sweeper(course):
    from peer_review.sweeper import sweep_once
    from tests.peer_review.conftest import QUICK

    z, y, a = await students(3, prefix="x")
    rx = await respond(z, block=QUICK)
    await respond(y, block=QUICK)
    await respond(a, block=QUICK)
    held = await assignment.request_review(y, COURSE_ID, QUICK)
    assert held.response_id == rx.id
    mine = await assignment.request_review(a, COURSE_ID, QUICK)
    await assessments.submit_assessment(a, mine.id, GOOD["scores"], "", GOOD["criterion_feedback"])
    assert await assignment.request_review(a, COURSE_ID, QUICK) is None  # X is taken: a waits
    await sweep_once(datetime.now(UTC) + timedelta(hours=9))  # y's lease runs out
    handed = await PeerAssignment.get(reviewer_id=a.id, response_id=rx.id)
    assert handed.status == AssignmentStatus.OPEN
    assert (await PeerAssignment.get(id=held.id)).status == AssignmentStatus.EXPIRED
    assert not await PeerReviewer.exists(reviewer_id=a.id, waiting_since__isnull=False)
