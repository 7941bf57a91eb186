"""The A+ protocol pieces, without a network: parameters, replies, answer keys."""

from __future__ import annotations

import pytest

from content_store.blocks import block_type
from content_store.blocks.base import BlockValidationError
from grading import external
from grading.external import ExternalGraderError, GraderReply, parse_reply, reply_from_fields


@pytest.fixture(autouse=True)
def config(monkeypatch):
    external.CONFIG.bind(external.ExternalConfig(
        secret_key="s3cret", public_url="https://cw.example.org", retries=3, backoff=2.0))


def test_protocol_parameters_carry_the_signed_url_and_the_course_language():
    params = external.protocol_params(submission_id=12, user_id=7, attempt=3, max_points=4.0,
                                      course_id="course-v1:A+B+C", block_id="ex1", lang="fi")
    token = external.submission_token(12)
    assert params == {
        "submission_url": f"https://cw.example.org/api/v1/grader/submissions/12?token={token}",
        "post_url": "https://cw.example.org/courses/course-v1:A+B+C/blocks/ex1/submissions",
        "max_points": "4", "uid": "7", "ordinal_number": "3", "lang": "fi"}
    assert external.token_is_valid(12, token) and not external.token_is_valid(13, token)
    form = external.grader_form({"text": "42", "files": ["a", "b"]}, params)
    assert form["text"] == "42" and form["files"] == ["a", "b"]
    assert {k: form[k] for k in params} == params  # repeated in the body for old graders


def test_retry_delays_back_off_exponentially():
    assert [external.retry_delay(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert external.retries() == 3


def test_json_reply_with_points():
    assert parse_reply('{"points": 3, "max_points": 5, "feedback": "ok"}') == GraderReply(
        3.0, 5.0, "ok", None, False)


def test_accepted_replies_mean_wait_for_the_callback():
    assert parse_reply('{"status": "accepted"}') is None
    assert parse_reply('<html><head><meta name="status" value="accepted"></head></html>') is None


def test_html_meta_reply_keeps_the_page_as_feedback():
    html = ('<html><head><meta name="points" value="2"><meta name="max-points" value="8">'
            '</head><body><p>Nearly</p></body></html>')
    reply = parse_reply(html, "text/html")
    assert reply is not None and (reply.points, reply.max_points) == (2.0, 8.0)
    assert "<p>Nearly</p>" in reply.feedback


@pytest.mark.parametrize("text", ["I am a teapot", "[1, 2]", "", "<html><body>hi</body></html>"])
def test_garbage_replies_are_errors(text):
    with pytest.raises(ExternalGraderError):
        parse_reply(text)


@pytest.mark.parametrize("fields, message", [
    ({"points": "6", "max_points": "5"}, "between 0 and max_points"),
    ({"points": "-1", "max_points": "5"}, "between 0 and max_points"),
    ({"points": "lots", "max_points": "5"}, "must be numbers"),
    ({"points": "1"}, "must be numbers"),
    ({"points": "1", "max_points": "0"}, "positive"),
    ({"points": "nan", "max_points": "5"}, "positive"),
    ({"points": "1", "max_points": "inf"}, "positive"),
    ({"points": ["1"], "max_points": "5"}, "must be numbers"),
])
def test_reply_fields_are_validated(fields, message):
    with pytest.raises(ExternalGraderError, match=message):
        reply_from_fields(fields)


def test_reply_fields_error_and_payload():
    reply = reply_from_fields({"error": "1", "feedback": "crashed"})
    assert reply.error and reply.feedback == "crashed" and reply.points == 0
    reply = reply_from_fields({"points": "1.5", "max_points": "3", "error": "false",
                               "grading_payload": '{"tests": 3}'})
    assert not reply.error and reply.payload == {"tests": 3} and reply.points == 1.5
    assert reply_from_fields({"points": 1, "max_points": 2, "grading_payload": "not json"}
                             ).payload == "not json"


def test_externally_graded_blocks_need_no_built_in_answer_key():
    problem, code = block_type("problem"), block_type("code")
    url = "https://grader.example.org/ex1"
    problem.clean({"title": "T", "kind": "text", "prompt": "?", "grader_url": url})
    problem.clean({"title": "T", "kind": "numeric", "prompt": "?", "grader_url": url})
    code.clean({"title": "T", "prompt": "?", "grader_url": url})
    # Without a grader the key is still required.
    with pytest.raises(BlockValidationError, match="answers"):
        problem.clean({"title": "T", "kind": "text", "prompt": "?"})
    with pytest.raises(BlockValidationError, match="answer"):
        problem.clean({"title": "T", "kind": "numeric", "prompt": "?"})
    with pytest.raises(BlockValidationError, match="tests"):
        code.clean({"title": "T", "prompt": "?"})


def test_resubmission_fields_are_checked():
    problem = block_type("problem")
    base = {"title": "T", "kind": "text", "prompt": "?", "answers": ["a"]}
    problem.clean({**base, "counts": "last", "cooldown_seconds": 30})
    with pytest.raises(BlockValidationError, match="counts"):
        problem.clean({**base, "counts": "worst"})
    with pytest.raises(BlockValidationError, match="cooldown_seconds"):
        problem.clean({**base, "cooldown_seconds": -1})
