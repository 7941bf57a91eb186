"""Every event peer review publishes carries the payload its EventType declares: real flows
(pushed work with a file, assessments releasing scores, self and staff assessment, a
cancellation, a scheduled allocation), read back from the event log."""

from __future__ import annotations

from datetime import UTC, datetime

from core.event_types import problems
from models.events import Event
from peer_review import allocation, assessments, assignment, responses
from peer_review.events import EVENT_TYPES
from peer_review.payloads import AssignmentPayload
from tests.peer_review.conftest import BLOCK, COURSE_ID, FILES, GOOD, SELFIE, students

TYPES = {t.name: t for t in EVENT_TYPES}


async def _review(reviewer, block: str) -> None:
    lease = await assignment.request_review(reviewer, COURSE_ID, block)
    await assessments.submit_assessment(reviewer, lease.id, GOOD["scores"], "Fine.",
                                        GOOD["criterion_feedback"])


async def test_every_published_payload_fits_its_event_type(course):
    start = await Event.filter().order_by("-id").first().values_list("id", flat=True) or 0
    # Pushed work with a file; both review each other; the author's score is released.
    a, b = await students(2, prefix="pl")
    await responses.submit_response(a, COURSE_ID, FILES, "Mine, no file")
    assert await assignment.request_review(a, COURSE_ID, FILES) is None  # a waits
    await responses.submit_response(b, COURSE_ID, FILES, "Attached",
                                    ("Bea_Smith.pdf", "application/pdf", b"%PDF-1.4"))
    held = await assignment.request_review(a, COURSE_ID, FILES)
    await assessments.submit_assessment(a, held.id, GOOD["scores"], "Fine.",
                                        GOOD["criterion_feedback"])
    await _review(b, FILES)
    # The self-assessment step, then staff override and cancel on the main block.
    c, d = await students(2, prefix="ps")
    for who in (c, d):
        await responses.submit_response(who, COURSE_ID, SELFIE, "Essay")
    await _review(c, SELFIE)
    await assessments.self_assess(c, COURSE_ID, SELFIE, GOOD["scores"], "",
                                  GOOD["criterion_feedback"])
    e, f, g = await students(3, prefix="pc")
    made = [await responses.submit_response(p, COURSE_ID, BLOCK, "Essay") for p in (e, f, g)]
    await assessments.staff_assess(course.ta, made[0].id, GOOD["scores"], "Staff.",
                                   GOOD["criterion_feedback"])
    await responses.cancel_response(course.ta, made[1].id, "Copied")
    schedule = await allocation.schedule_allocation(course.ta, COURSE_ID, BLOCK,
                                                    datetime.now(UTC).isoformat(), 1, False)
    await allocation.run_allocation(schedule, seed=1)

    published = await Event.filter(id__gt=start, name__startswith="peer_review.")
    seen = {row.name for row in published}
    assert seen == set(TYPES), f"flows published {sorted(seen)}; declared {sorted(TYPES)}"
    found = [f"{row.name} ({audience}): {p}" for row in published
             for audience, data in row.data_by_audience.items()
             for p in problems(TYPES[row.name].payload, data)]
    assert not found, "\n".join(found)
    with_file = [row.data_by_audience["self"] for row in published
                 if row.name == "peer_review.assigned"
                 and "file" in row.data_by_audience["self"]["submission"]["answer"]]
    assert with_file and "Bea" not in str(with_file)


def test_the_check_names_a_payload_that_does_not_fit():
    wrong = {"id": "7", "course_id": COURSE_ID, "block_id": BLOCK,
             "submission": {"answer": {"text": "x", "author": "Bea"}},
             "rubric": {"criteria": []}, "due_at": None}
    assert problems(AssignmentPayload, wrong) == [
        "data.expires_at: missing", "data.id: expected int, got '7'",
        "data.submission.answer.author: not in ReviewedAnswer"]
