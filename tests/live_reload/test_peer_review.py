"""Live = reload for peer review: work pushed to a waiting reviewer, assessments and the
released result, on each student's review page and unit page and on the staff board."""

from __future__ import annotations

from peer_review import assessments, assignment, responses
from tests.peer_review.conftest import GOOD, QUICK
from tests.support.live_reload import covers, verify_action


def review_pages(cast) -> dict:
    page = f"/courses/{cast.course_id}/peer-review/{QUICK}"
    unit = f"/courses/{cast.course_id}/units/unit-hw"
    pages = {v: [page, unit] for v in (cast.ada, cast.bob)}
    for v in (cast.ta, cast.teacher):
        pages[v] = [page + "/board", unit]
    return pages


@covers("peer_review.assigned", "peer_review.work", "peer_review.board",
        "peer_review.result")
async def test_the_review_cycle(cast):
    cid, made = cast.course_id, {}

    async def ada_responds():
        await responses.submit_response(cast.ada.user, cid, QUICK, "Ada's essay")

    await verify_action(cast.hub, review_pages(cast), ada_responds)
    # Asking for work is answered in the asking page's own response (not a frame): it is
    # set up here, outside the harness. (Another tab of Ada's keeps its "Review a
    # classmate's response" button until reloaded: reported, harmless.)
    assert await assignment.request_review(cast.ada.user, cid, QUICK) is None

    async def bob_responds():  # Ada, waiting, is handed Bob's response
        await responses.submit_response(cast.bob.user, cid, QUICK, "Bob's essay")

    await verify_action(cast.hub, review_pages(cast), bob_responds)

    made["bob"] = await assignment.request_review(cast.bob.user, cid, QUICK)
    assert made["bob"] is not None

    async def bob_assesses():
        await assessments.submit_assessment(cast.bob.user, made["bob"].id, GOOD["scores"],
                                            GOOD["feedback"], GOOD["criterion_feedback"])

    await verify_action(cast.hub, review_pages(cast), bob_assesses)

    leased = await assignment.request_review(cast.ada.user, cid, QUICK)
    assert leased is not None

    async def ada_assesses():
        await assessments.submit_assessment(cast.ada.user, leased.id, GOOD["scores"],
                                            GOOD["feedback"], GOOD["criterion_feedback"])

    await verify_action(cast.hub, review_pages(cast), ada_assesses)
