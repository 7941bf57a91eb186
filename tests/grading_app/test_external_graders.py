"""External graders (A+ protocol) against a real example grader process and server."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from tests.grading_app.live import start_course_server
from tests.support.servers import ROOT, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grader():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "grading.example_grader", "--port", str(port)],
                            cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/log", timeout=0.5)
            break
        except httpx.HTTPError:
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
    for n, mode in enumerate(["sync", "html", "async", "twice", "error", "slow", "garbage"]):
        extra[f"02-more/01-hw/01-unit-hw/{n + 3:02d}-ext-{mode}.yaml"] = f"""
            type: problem
            title: External {mode}
            kind: text
            prompt: What is six times seven?
            answers: [graded outside]
            max_points: 4
            grader_url: {grader}/{mode}
        """
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
    assert sent[-1]["max_points"] == "4" and sent[-1]["ordinal_number"] == "1"
    assert sent[-1]["lang"] == "en" and sent[-1]["uid"] == str(live.ids["ada@example.org"])
    assert "/api/v1/grader/submissions/" in sent[-1]["submission_url"]
    assert sent[-1]["post_url"].endswith("/blocks/ext-async/submissions")


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


def test_submission_url_checks_token_and_points(live):
    sub = _submit(live, "ext-sync")
    _wait_final(live, sub["id"])
    base = f"{live.server.base}/api/v1/grader/submissions/{sub['id']}"
    r = httpx.post(base + "?token=forged", data={"points": "1", "max_points": "1"})
    assert r.status_code == 403 and r.json() == {"success": False,
                                                 "errors": ["invalid or missing token"]}
    r = httpx.post(base, data={"points": "1", "max_points": "1"})
    assert r.status_code == 403
