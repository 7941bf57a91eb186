"""What authors and reviewers see of a response: the reviewers' overall comments reach
the author; attached files travel with the response and under a generic name; staff
cancelling a scored response takes its grade out of the gradebook."""

from __future__ import annotations

import pytest

from core.errors import BadInput
from grading.gradebook import student_grade
from grading.submissions import submit_answer
from models.grading import Status, Submission
from models.peer_review import PeerResponse
from peer_review import assessments, assignment, events, fragments, queries, responses
from peer_review.presenters import assignment_json, reviewer_file_name
from peer_review.queries import student_view
from tests.peer_review.conftest import BLOCK, COURSE_ID, FILES, GOOD, QUICK, respond, students


async def _review(reviewer, block: str, feedback: str):
    lease = await assignment.request_review(reviewer, COURSE_ID, block)
    assert lease is not None
    return await assessments.submit_assessment(reviewer, lease.id, GOOD["scores"], feedback,
                                               GOOD["criterion_feedback"])


async def test_reviewers_overall_feedback_reaches_the_author(course):
    a, b = await students(2, prefix="fb")
    await respond(a, block=QUICK)
    await respond(b, block=QUICK)
    await _review(b, QUICK, "A bold thesis; the ending is rushed.")
    await _review(a, QUICK, "Fine.")
    result = await queries.result_for(a, COURSE_ID, QUICK)
    assert result["status"] == "graded"
    assert result["feedback"] == ["A bold thesis; the ending is rushed."]
    # The page (and the pushed panel, rendered from the same view) shows it.
    view = await student_view(a.id, COURSE_ID, QUICK)
    html = fragments.mine_html(view)
    assert "A bold thesis; the ending is rushed." in html
    assert "Fine." not in html  # a's own comment on b's response is not a's feedback
    # The gradebook entry carries the comments too, unattributed.
    sub = await Submission.get(user_id=a.id, block_id=QUICK)
    assert sub.feedback["comments"] == ["A bold thesis; the ending is rushed."]
    assert b.name not in str(sub.feedback) and b.name not in html


async def test_overall_feedback_is_hidden_until_graded(course):
    a, b = await students(2, prefix="fh")
    await respond(a)
    await respond(b)
    await _review(b, BLOCK, "Early words")
    result = await queries.result_for(a, COURSE_ID, BLOCK)
    assert result["status"] != "graded" and result["feedback"] is None


def test_reviewers_see_a_generic_file_name():
    assert reviewer_file_name("Jane_Smith_essay.PDF") == "response.pdf"
    assert reviewer_file_name("smith.tar.gz") == "response.gz"
    assert reviewer_file_name("no extension") == "response"
    assert reviewer_file_name(".bashrc") == "response"
    assert reviewer_file_name("x.<script>") == "response"


async def test_response_and_file_are_one_unit_pushed_to_a_waiting_reviewer(course,
                                                                           monkeypatch):
    published: list[tuple[str, str, dict]] = []

    async def record(topic, event, data, html=None):
        # What a reviewer is pushed must already have its file in the database.
        if event == "peer_review.assigned":
            held = await PeerResponse.filter(author_id=author.id).first()
            assert held is not None and held.file_data is not None
        published.append((topic, event, data))

    reviewer, author = await students(2, prefix="fu")
    await responses.submit_response(reviewer, COURSE_ID, FILES, "Mine, no file")
    assert await assignment.request_review(reviewer, COURSE_ID, FILES) is None  # waits
    monkeypatch.setattr(events, "publish", record)
    response = await responses.submit_response(author, COURSE_ID, FILES, "See the attachment",
                                               ("Jane_Doe_thesis.pdf", "application/pdf",
                                              b"%PDF-1.4 the thesis"))
    assert response.file_name == "Jane_Doe_thesis.pdf"
    assert bytes(response.file_data) == b"%PDF-1.4 the thesis"
    pushed = [d for t, e, d in published
              if e == "peer_review.assigned" and t == f"user:{reviewer.id}"]
    assert len(pushed) == 1
    answer = pushed[0]["self"]["submission"]["answer"]
    assert answer["text"] == "See the attachment"
    assert answer["file"]["name"] == "response.pdf"
    assert answer["file"]["url"].endswith(f"/assignments/{pushed[0]['self']['id']}/file")
    assert "Jane" not in str(pushed)


async def test_files_are_refused_where_the_block_takes_none(course):
    a, = await students(1, prefix="fn")
    with pytest.raises(BadInput):
        await responses.submit_response(a, COURSE_ID, QUICK, "text", ("a.pdf", "x", b"1"))
    assert not await Submission.exists(user_id=a.id, block_id=QUICK)  # no attempt used


async def test_assignment_json_never_carries_the_original_file_name(course):
    reviewer, author = await students(2, prefix="fj")
    await responses.submit_response(author, COURSE_ID, FILES, "text",
                                    ("Author Name.docx", "application/msword", b"doc"))
    await responses.submit_response(reviewer, COURSE_ID, FILES, "mine")
    lease = await assignment.request_review(reviewer, COURSE_ID, FILES)
    response = await PeerResponse.get(id=lease.response_id)
    from peer_review.blocks import peer_block

    data = assignment_json(lease, response, await peer_block(COURSE_ID, FILES))
    assert data["submission"]["answer"]["file"]["name"] == "response.docx"
    assert "Author" not in str(data)
    view = await student_view(reviewer.id, COURSE_ID, FILES)
    assert "Author Name" not in fragments.work_html(view) and "response.docx" in \
        fragments.work_html(view)


async def test_cancelling_a_scored_response_takes_it_out_of_the_gradebook(course):
    a, b = await students(2, prefix="cg")
    ra = await respond(a, block=QUICK)
    await respond(b, block=QUICK)
    await _review(b, QUICK, "")
    await _review(a, QUICK, "")
    sub = await Submission.get(id=ra.submission_id)
    assert sub.status == Status.GRADED and sub.points == 5.0
    _, grade = await student_grade(COURSE_ID, a.id)
    assert grade.blocks[QUICK].points == 5.0
    await responses.cancel_response(course.ta, ra.id, "Copied from the web")
    sub = await Submission.get(id=ra.submission_id)
    assert sub.status == Status.ERROR and sub.points is None
    assert "Copied from the web" in sub.error_message and "5 points" in sub.error_message
    _, grade = await student_grade(COURSE_ID, a.id)
    assert not grade.blocks[QUICK].points  # gone from the gradebook
    # The cancellation is on record: who, when, why, and the points withdrawn.
    await ra.refresh_from_db()
    assert ra.cancelled_by_id == course.ta.id and ra.cancelled_at is not None
    assert ra.withdrawn_points == 5.0 and ra.cancelled_reason == "Copied from the web"
    assert (await queries.result_for(a, COURSE_ID, QUICK))["points"] is None
    # The student may submit again, and the new response is queued.
    again = await submit_answer(a, COURSE_ID, QUICK, {"text": "My own words"})
    assert again.attempt == 2 and again.status == Status.AWAITING_PEER_REVIEW
    assert (await PeerResponse.get(submission_id=again.id)).text == "My own words"
