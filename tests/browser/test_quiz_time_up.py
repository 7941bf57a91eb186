"""Issue 14: the last second of an exam. A student still typing when the countdown reaches
zero does not lose what was typed: the page sends the answer whose autosave was still
waiting (debounced) as time runs out, then locks, and the server keeps it because it arrived
before the deadline (quizzes.attempts.save_answer judges arrival); the live region then
says time is up. Before, the page dropped that pending save when it locked."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import log_in, wait_live
from tests.browser.test_quiz_attempt import live  # noqa: F401 (the quiz course's server)
from tests.browser.test_quiz_deadline import move_deadline
from tests.grading_app.live import PASSWORD

pytestmark = pytest.mark.browser


def test_typing_until_time_runs_out_keeps_what_was_typed(browser, live):  # noqa: F811
    base, cid = live.server.base, live.course_id
    ctx, page = log_in(browser, base, "ada@example.org", PASSWORD)
    try:
        page.goto(f"{base}/courses/{cid}/units/paper")
        wait_live(page)
        page.click(".quiz-start")
        page.wait_for_selector("#quiz-countdown")
        url = page.url
        attempt_id = int(page.get_attribute("#quiz-attempt", "data-attempt"))
        move_deadline(live, attempt_id, 6)
        page.goto(url)  # the countdown now from the moved deadline
        wait_live(page)
        fs = page.locator(".quiz-question:has(input[name=value])").first
        qid = fs.get_attribute("data-question")
        field = fs.locator("input[name=value]")
        field.focus()
        page.wait_for_function("() => Number(document.getElementById('quiz-countdown')"
                               ".dataset.left) <= 2", timeout=10_000)
        # A key every 0.15 s: the page's autosave waits 0.7 s after the last key, so one is
        # always pending when time runs out and the page locks the questions.
        for _ in range(60):
            if fs.evaluate("el => el.disabled"):
                break
            page.keyboard.press("7")
            time.sleep(0.15)
        assert fs.evaluate("el => el.disabled"), "the page never locked at the deadline"
        typed = field.input_value()
        assert typed, "nothing was typed before the lock"
        page.wait_for_selector(f'.quiz-question[data-question="{qid}"] '
                               '.save-state[data-state="saved"]', timeout=10_000)
        # The live region ends on time being up, not on the last answer's "saved".
        page.wait_for_function("() => document.getElementById('quiz-status').textContent"
                               ".startsWith('Time is up')", timeout=5_000)
        stored = page.request.get(f"{base}/api/v1/quiz-attempts/{attempt_id}").json()
        assert stored["answers"][qid] == {"value": typed}
    finally:
        ctx.close()
