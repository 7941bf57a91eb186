"""External graders (A+ protocol) against a real example grader process and server."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from tests.grading_app.conftest import FILES
from tests.grading_app.live import start_course_server
from tests.support.servers import ROOT, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grader():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.example_grader", "--port",
                             str(port)], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/log", timeout=0.5)
            break
        except httpx.HTTPError:  # the grader process is still starting: nothing to await
            time.sleep(0.1)
    yield base
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:  # still holding the /slow request open
        proc.kill()
        proc.wait(5)


@pytest.fixture(scope="module")
def live(grader, db_factory, tmp_path_factory):
    extra: dict[str, str] = {}
    modes = ["sync", "html", "async", "twice", "error", "slow", "garbage", "flaky", "silent"]
    for n, mode in enumerate(modes):
        # No answer key here: the external grader has it.
        extra[f"02-more/01-hw/01-unit-hw/{n + 3:02d}-ext-{mode}.yaml"] = f"""
            type: problem
            title: External {mode}
            kind: text
            prompt: What is six times seven?
            max_points: 4
            grader_url: {grader}/{mode}?exercise={n}
        """
    extra["02-more/01-hw/01-unit-hw/20-ext-code.yaml"] = f"""
        type: code
        title: External code
        prompt: Write anything.
        max_points: 4
        grader_url: {grader}/sync
    """
    # The course's language is what graders get as `lang`.
    extra["course.yaml"] = FILES["course.yaml"].rstrip() + "\n        language: fi\n"
    course = start_course_server(
        db_factory, tmp_path_factory.mktemp("ext"), course_extra=extra,
        env_extra={"COURSEWIRE_GRADER_TIMEOUT_SECONDS": "1", "COURSEWIRE_GRADER_RETRIES": "1",
                   "COURSEWIRE_GRADER_BACKOFF_SECONDS": "0.1"})
    yield course
    course.server.stop()


def _submit(live, block_id: str, text: str = "it is 42") -> dict:
    r = httpx.post(f"{live.server.base}/api/v1/courses/{live.course_id}/blocks/{block_id}"
                   "/submissions", json={"answer": {"text": text}},
                   headers=live.headers("ada@example.org"))
    assert r.status_code == 202, r.text
    return r.json()


def _wait_final(live, submission_id: int, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = httpx.get(f"{live.server.base}/api/v1/submissions/{submission_id}",
                      headers=live.headers("ada@example.org"))
        body = r.json()
        if body["status"] in ("graded", "error"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} still {body['status']}")


def test_synchronous_reply_is_recorded_and_rescaled(live):
    sub = _submit(live, "ext-sync")
    body = _wait_final(live, sub["id"])
    assert body["status"] == "graded" and body["points"] == 4 and body["max_points"] == 4


def test_html_meta_reply_is_understood(live):
    body = _wait_final(live, _submit(live, "ext-html", "no idea")["id"])
    assert body["status"] == "graded" and body["points"] == 0
    assert "6 × 7" in body["feedback"]["html"]


def test_async_grader_posts_back_to_the_submission_url(live, grader):
    body = _wait_final(live, _submit(live, "ext-async")["id"])
    assert body["status"] == "graded" and body["points"] == 4
    sent = [r for r in httpx.get(grader + "/log").json()["received"] if r["mode"] == "async"]
    # A+ sends the protocol's parameters as GET parameters of the service URL, next to
    # the grader URL's own query.
    query = sent[-1]["query"]
    assert query["max_points"] == "4" and query["ordinal_number"] == "1"
    assert query["lang"] == "fi" and query["uid"] == str(live.ids["ada@example.org"])
    assert f"/api/v1/grader/submissions/{body['id']}?token=" in query["submission_url"]
    assert query["post_url"].endswith("/blocks/ext-async/submissions")
    assert query["exercise"] == "2"
    # ...and the body repeats them, after the student's answer.
    assert sent[-1]["text"] == "it is 42" and sent[-1]["lang"] == "fi"
    assert sent[-1]["submission_url"] == query["submission_url"]


def test_grader_posting_twice_records_one_grade(live, grader):
    sub = _submit(live, "ext-twice")
    body = _wait_final(live, sub["id"])
    assert body["points"] == 4
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        answers = [c for c in httpx.get(grader + "/log").json()["callbacks"]]
        if len(answers) >= 3:  # async once, twice twice
            break
        time.sleep(0.1)
    assert [a["body"]["success"] for a in answers[-2:]] == [True, False]
    assert answers[-1]["status"] == 409 and "already graded" in answers[-1]["body"]["errors"][0]


def test_grader_error_marks_the_submission_error(live):
    body = _wait_final(live, _submit(live, "ext-error")["id"])
    assert body["status"] == "error" and body["points"] is None
    assert "crashed" in body["feedback"]["html"]


def test_grader_that_times_out_ends_in_error_after_retries(live):
    started = time.monotonic()
    body = _wait_final(live, _submit(live, "ext-slow")["id"], timeout=20)
    assert body["status"] == "error" and "did not answer" in body["error_message"]
    assert time.monotonic() - started >= 2  # two tries of 1 s each
    # An error does not use up an attempt: the student may submit again.
    assert _submit(live, "ext-slow")["attempt"] == 2


def test_garbage_reply_ends_in_error(live):
    body = _wait_final(live, _submit(live, "ext-garbage")["id"])
    assert body["status"] == "error"


def test_submission_url_checks_token_and_points(live, grader):
    sub = _submit(live, "ext-silent")  # accepted; the result is ours to post
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        sent = [r for r in httpx.get(grader + "/log").json()["received"]
                if r["mode"] == "silent" and r["query"]["submission_url"].split(
                    "/submissions/")[1].startswith(f"{sub['id']}?")]
        if sent:
            break
        time.sleep(0.1)
    url = sent[-1]["query"]["submission_url"]
    base = f"{live.server.base}/api/v1/grader/submissions/{sub['id']}"
    r = httpx.post(base + "?token=forged", data={"points": "1", "max_points": "1"})
    assert r.status_code == 403 and r.json() == {"success": False,
                                                 "errors": ["invalid or missing token"]}
    r = httpx.post(base, data={"points": "1", "max_points": "1"})
    assert r.status_code == 403
    for bad, why in [({"points": "11", "max_points": "10"}, "between 0 and max_points"),
                     ({"points": "ten", "max_points": "10"}, "must be numbers"),
                     ({"points": "-1", "max_points": "10"}, "between 0 and max_points"),
                     ({"points": "1", "max_points": "0"}, "positive")]:
        r = httpx.post(url, data=bad)
        assert r.status_code == 400 and why in r.json()["errors"][0], (bad, r.text)
    for raw in [b"{not json", b"[" * 5000, b'{"feedback": "a\\u0000b"}']:
        r = httpx.post(url, content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 400 and r.json()["success"] is False, (raw[:20], r.text)
    assert httpx.get(f"{live.server.base}/api/v1/submissions/{sub['id']}",
                     headers=live.headers("ada@example.org")).json()["status"] == "grading"
    r = httpx.post(url, json={"points": 5, "max_points": 10, "feedback": "<p>Half</p>"})
    assert r.status_code == 200 and r.json() == {"success": True, "errors": []}
    body = _wait_final(live, sub["id"])
    assert body["status"] == "graded" and body["points"] == 2 and body["max_points"] == 4
    r = httpx.post(url, data={"points": "10", "max_points": "10"})
    assert r.status_code == 409


def test_failing_grader_is_retried_later_and_then_graded(live, grader):
    body = _wait_final(live, _submit(live, "ext-flaky")["id"])
    assert body["status"] == "graded" and body["points"] == 4
    tries = [r for r in httpx.get(grader + "/log").json()["received"] if r["mode"] == "flaky"]
    assert len(tries) == 2  # 503, then (after the backoff, re-enqueued) the grade


def test_external_code_block_needs_no_hidden_tests(live):
    r = httpx.post(f"{live.server.base}/api/v1/courses/{live.course_id}/blocks/ext-code"
                   "/submissions", json={"answer": {"code": "print(42)"}},
                   headers=live.headers("ada@example.org"))
    assert r.status_code == 202, r.text
    body = _wait_final(live, r.json()["id"])
    assert body["status"] == "graded" and body["points"] == 4
