"""Issue 14: a student's answers survive a kill -9 of the server mid-attempt. One answer
saved well before, one acknowledged just before the kill, one on its way when the process
died and one typed while it was gone: the page keeps every one, says "Not saved yet -
retrying" (and in its live region), reconnects by itself to the restarted process (same
port, same databases) and re-sends them; after a reload every answer is there and the
countdown still follows the server's deadline. The proctor page, whose socket was away
while things changed, resyncs on reconnect and equals a fresh load."""

from __future__ import annotations

import re

import httpx
import pytest

from core.templating import dom_id
from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live, wait_loaded
from tests.browser.test_quiz_attempt import (
    answer,
    live,  # noqa: F401 (the quiz course's server)
    shown_answers,
)
from tests.grading_app.live import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.both_modes]

ADA = "ada@example.org"
TYPED = "input[name=value], input[name=text]"


def _fs(question_id: str) -> str:
    return f'.quiz-question[data-question="{question_id}"]'


def _state(page, question_id: str) -> str:
    return page.get_attribute(f"{_fs(question_id)} .save-state", "data-state")


def _server_seconds_left(course, attempt_id: int) -> int:
    r = httpx.get(f"{course.server.base}/api/v1/quiz-attempts/{attempt_id}",
                  headers=course.headers(ADA), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["seconds_left"]


def _gated_socket(page, gate: dict) -> None:
    """The page's /ws goes to the server while the gate is open; closed, every attempt is
    refused (the page sees the socket open, then close), so it misses what happens then."""
    def route(ws) -> None:
        if gate["open"]:
            ws.connect_to_server()
        else:
            ws.close(code=1000, reason="refused by the test")

    page.route_web_socket(re.compile(r"/ws\?"), route)


def _start_attempt(page, unit_url: str) -> int:
    """Start the quiz from its unit, as a student does; the attempt page is live."""
    page.goto(unit_url)
    wait_loaded(page)
    page.click(".quiz-start")
    page.wait_for_selector("#quiz-countdown")
    wait_live(page)
    return int(page.get_attribute("#quiz-attempt", "data-attempt"))


def test_answers_survive_a_kill_9_and_the_pages_resync_after_restart(browser, live):  # noqa: F811
    server, base, cid = live.server, live.server.base, live.course_id
    gate = {"open": True}
    staff_ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    _gated_socket(staff, gate)
    student_ctx, student = log_in(browser, base, ADA, PASSWORD)
    proctor_url = f"{base}/courses/{cid}/quizzes/midterm/proctor"
    row = "#" + dom_id("proctor", cid, "midterm", live.ids[ADA])
    try:
        attempt_id = _start_attempt(student, f"{base}/courses/{cid}/units/paper")
        student.evaluate("() => { window.stillTheSamePage = true; }")
        staff.goto(proctor_url)
        wait_live(staff)
        assert staff.get_attribute(row, "data-status") == "in_progress"

        questions = student.eval_on_selector_all(".quiz-question",
                                                 "els => els.map(e => e.dataset.question)")
        typed = [q for q in questions if q != "capital"]
        assert len(typed) == 2, questions
        acked, in_flight = typed

        # Saved well before the crash.
        answer(student, "capital")
        student.wait_for_selector(f'{_fs("capital")} .save-state[data-state="saved"]')

        # On its way when the process dies: the test holds the request until then.
        held: list = []
        pattern = re.compile(r"/answers/" + re.escape(in_flight.replace(":", "%3A")) + "$")
        student.route(pattern, lambda route: route.fallback() if held else held.append(route))
        answer(student, in_flight)
        for _ in range(100):
            if held:
                break
            student.wait_for_timeout(50)
        assert held, "the page never sent its save"
        assert _state(student, in_flight) == "saving"

        # Acknowledged, then SIGKILL right away: no close frames, no goodbyes.
        with student.expect_response(lambda r: r.request.method == "PUT" and
                                     r.url.endswith("/answers/" + acked.replace(":", "%3A"))
                                     ) as acknowledged:
            answer(student, acked)
        assert acknowledged.value.status == 200
        server.kill()
        gate["open"] = False  # the proctor page will miss what happens after the restart

        held[0].continue_()  # reaches a port nobody listens on any more
        retrying = f'{_fs(in_flight)} .save-state[data-state="retrying"]'
        student.wait_for_selector(retrying, timeout=10_000)
        assert student.inner_text(f"{_fs(in_flight)} .save-state") == "Not saved yet - retrying"
        assert "not saved yet" in student.inner_text("#quiz-status")

        # Typed while the server is gone: the latest value is the one that must arrive.
        field = f"{_fs(acked)} {TYPED}"
        student.fill(field, "")
        student.type(field, "12", delay=30)
        student.wait_for_selector(f'{_fs(acked)} .save-state[data-state="retrying"]',
                                  timeout=10_000)
        student.wait_for_selector('#live-status[data-state="down"]', timeout=10_000)
        staff.wait_for_selector('#live-status[data-state="down"]', timeout=10_000)
        expected = shown_answers(student)
        assert expected[acked] == "12" and expected["capital"] == "paris"

        server.start()  # a fresh process: same port, database and data dir
        wait_live(student, timeout=60_000)
        student.wait_for_function("() => document.querySelectorAll("
                                  "'.save-state[data-state=\"saved\"]').length === 3",
                                  timeout=30_000)
        assert student.evaluate("() => window.stillTheSamePage") is True
        assert "saved" in student.inner_text("#quiz-status")
        assert shown_answers(student) == expected
        # The page counts down on its own clock (a save's pushed clock may have just
        # replaced the element: its next tick, within a second, writes data-left).
        student.wait_for_selector("#quiz-countdown[data-left]")
        left = _server_seconds_left(live, attempt_id)
        assert abs(int(student.get_attribute("#quiz-countdown", "data-left")) - left) <= 3

        student.reload()
        student.wait_for_selector("#quiz-countdown")
        assert shown_answers(student) == expected
        assert abs(int(student.get_attribute("#quiz-countdown", "data-seconds-left"))
                   - _server_seconds_left(live, attempt_id)) <= 3

        # Handed in (from the device that holds the attempt: another one is refused 409)
        # while the proctor page was away; it sees it once its socket is back.
        status = student.evaluate(
            """url => fetch(url, {method: "POST", credentials: "same-origin", headers: {
                 "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content}})
               .then(r => r.status)""", f"/api/v1/quiz-attempts/{attempt_id}/submit")
        assert status == 202
        handed_in = httpx.get(f"{base}/api/v1/quiz-attempts/{attempt_id}",
                             headers=live.headers(ADA), timeout=30).json()
        assert handed_in["status"] in ("submitted", "graded")
        assert staff.get_attribute(row, "data-status") == "in_progress"  # still stale
        gate["open"] = True
        staff.evaluate("window.dispatchEvent(new Event('online'))")  # retry now
        wait_live(staff, timeout=60_000)
        staff.wait_for_selector(f'{row}[data-status="graded"]', timeout=10_000)
        assert staff.url == proctor_url
        assert_live_equals_reload(staff_ctx, staff, proctor_url, "table.proctor")
    finally:
        student_ctx.close()
        staff_ctx.close()
