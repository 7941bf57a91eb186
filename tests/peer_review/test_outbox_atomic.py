"""Issue 12: every peer-review change commits in one transaction with its events (the
outbox): if an event row cannot be written, neither the assessment, the score it
releases, a cancellation nor a response is kept. Embedded and service mode."""

from __future__ import annotations

import pytest

from models.grading import Status, Submission
from models.peer_review import AssignmentStatus, PeerAssignment, PeerResponse, ResponseStatus
from peer_review import assessments, assignment, responses
from tests.peer_review.conftest import GOOD, QUICK, respond, students
from tests.support.outbox_down import OutboxDown, event_names_since, last_seq, outbox_down


async def _assess(reviewer, lease_id: int):
    return await assessments.submit_assessment(reviewer, lease_id, GOOD["scores"],
                                               GOOD["feedback"], GOOD["criterion_feedback"])


async def test_an_assessment_and_the_score_it_releases_need_their_events(course):
    a, b = await students(2, prefix="oa")
    ra = await respond(a, block=QUICK)
    await respond(b, block=QUICK)
    lease = await assignment.request_review(b, course.id, QUICK)
    assert lease is not None and lease.response_id == ra.id
    await _assess(a, (await assignment.request_review(a, course.id, QUICK)).id)
    with outbox_down(), pytest.raises(OutboxDown):
        await _assess(b, lease.id)  # would release a's score
    assert (await PeerAssignment.get(id=lease.id)).status == AssignmentStatus.OPEN
    assert (await Submission.get(id=ra.submission_id)).status != Status.GRADED
    seq = await last_seq()
    await _assess(b, lease.id)
    assert (await Submission.get(id=ra.submission_id)).status == Status.GRADED
    names = await event_names_since(seq)
    assert "grade.updated" in names and "peer_review.result" in names


async def test_a_cancellation_needs_its_events(course):
    (a,) = await students(1, prefix="oc")
    ra = await respond(a, block=QUICK)
    with outbox_down(), pytest.raises(OutboxDown):
        await responses.cancel_response(course.ta, ra.id, "Copied")
    assert (await PeerResponse.get(id=ra.id)).status == ResponseStatus.ACTIVE
    assert (await Submission.get(id=ra.submission_id)).status == Status.AWAITING_PEER_REVIEW
    seq = await last_seq()
    await responses.cancel_response(course.ta, ra.id, "Copied")
    assert "submission.status" in await event_names_since(seq)


async def test_a_response_is_not_queued_without_its_event(course):
    (a,) = await students(1, prefix="or")
    with outbox_down(), pytest.raises(OutboxDown):
        await respond(a, block=QUICK)
    assert not await PeerResponse.exists(author_id=a.id)
